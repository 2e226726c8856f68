// `serverless ions <subcommand>`. Each subcommand has one lifecycle event, hooked in index.ts as
// `ions:<subcommand>:<event>`; push, deploy and status join this map the same way.
import type { CommandDefinition } from './serverless-api.js';

export const ionsCommands: Record<string, CommandDefinition> = {
  ions: {
    usage: 'Datomic-style ions: invoke lambda ions locally (push, deploy and status follow)',
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
    },
  },
};
