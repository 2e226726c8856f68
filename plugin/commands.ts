// `serverless ions <subcommand>`. Each subcommand has one lifecycle event, hooked in index.ts as
// `ions:<subcommand>:<event>`; push, deploy and status join this map the same way.
import type { CommandDefinition } from './serverless-api.js';

export const ionsCommands: Record<string, CommandDefinition> = {
  ions: {
    usage: 'Datomic-style ions: invoke lambda ions locally, push revisions, deploy them to compute groups, watch status',
    type: 'container',
    commands: {
      invoke: {
        usage: 'Run an event through the generated proxy against a local node',
        lifecycleEvents: ['invoke'],
        options: {
          function: { usage: 'Name of the lambda ion (a key of ions.lambdas)', shortcut: 'f', required: true, type: 'string' },
          path: { usage: 'JSON file holding the event', shortcut: 'p', type: 'string' },
          data: { usage: 'The event as inline JSON', shortcut: 'd', type: 'string' },
        },
      },
      push: {
        usage: 'Build the app into content-addressed chunks, upload the new ones, register a CodeDeploy revision',
        lifecycleEvents: ['push'],
        options: {
          uname: { usage: 'Push an uncommitted tree as the revision unreproducible-<NAME>', type: 'string' },
        },
      },
      deploy: {
        usage: 'Roll a pushed revision out to a compute group, one node at a time, and update its proxy Lambdas',
        lifecycleEvents: ['deploy'],
        options: {
          group: { usage: 'Compute group (a key of ions.groups)', required: true, type: 'string' },
          rev: { usage: 'Revision: the commit SHA printed by push', type: 'string' },
          uname: { usage: 'Revision: the --uname given to push', type: 'string' },
        },
      },
      status: {
        usage: 'Show the latest deployment of each group (nodes and proxy Lambdas); exits non-zero on failure',
        lifecycleEvents: ['status'],
        options: {
          group: { usage: 'Only this compute group', type: 'string' },
        },
      },
    },
  },
};
