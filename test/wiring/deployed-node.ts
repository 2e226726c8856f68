// `ions node` as the stack starts it: the environment file of a group's user data (references
// resolved as CloudFormation would), SSM answering for the stack's parameters, a revision built from
// the notes service, and signed requests the way a proxy sends them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetParameterCommand, SSMClient, type GetParameterCommandInput } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { runNode, type RunningNodeProcess } from '../../runtime/cli/node-command.js';
import { buildRevision } from '../../runtime/revision/index.js';
import { invoke, invokeBody } from '../node/helpers.js';
import { configParameter, nodeUnit, notesConfig, recordingEnv, resolveRefs, serviceDir, userDataScript, type Template } from './stack.js';
import type { GroupModel, IonsModel } from '../../plugin/model.js';

export const SECRET = 'wiring-test-hmac-key';

export interface Parameter {
  value: string;
  secure: boolean;
}

/** SSM as the node sees it: a SecureString read without decryption gives ciphertext, as AWS does. */
export function mockSsm(parameters: Record<string, Parameter>) {
  const ssm = mockClient(SSMClient);
  ssm.on(GetParameterCommand).callsFake((input: GetParameterCommandInput) => {
    const parameter = parameters[input.Name!];
    if (parameter === undefined) throw Object.assign(new Error(`parameter ${input.Name} not found`), { name: 'ParameterNotFound' });
    const value = parameter.secure && !input.WithDecryption ? Buffer.from(parameter.value).toString('base64') : parameter.value;
    return { Parameter: { Name: input.Name, Type: parameter.secure ? 'SecureString' : 'String', Value: value } };
  });
  return ssm;
}

/** The stack's own parameters: the HMAC key and the config the plugin publishes. */
export function stackParameters(model: IonsModel, template: Template): Record<string, Parameter> {
  const config = configParameter(template);
  return { [model.secretParameterName]: { value: SECRET, secure: true }, [config.name]: { value: config.value, secure: false } };
}

export interface Workspace {
  revisionDir: string;
  dataDir: string;
  cleanup(): Promise<void>;
}

export async function workspace(): Promise<Workspace> {
  const root = await mkdtemp(join(tmpdir(), 'ions-wiring-'));
  const revisionDir = join(root, 'revision');
  await buildRevision({ serviceDir, config: notesConfig(), outDir: revisionDir, name: 'notes-1' });
  return { revisionDir, dataDir: join(root, 'data'), cleanup: () => rm(root, { recursive: true, force: true }) };
}

export interface DeployedNode {
  running: RunningNodeProcess;
  /** Variables the user data writes, and those the node read. */
  written: string[];
  read: Set<string>;
  lines: string[];
}

export async function startDeployedNode(options: {
  template: Template;
  group: GroupModel;
  refs: Record<string, string>;
  workspace: Workspace;
  inFlightPeriodMs?: number;
}): Promise<DeployedNode> {
  const unit = nodeUnit(userDataScript(options.template, options.group.id('LaunchTemplate')));
  const { env, read } = recordingEnv(resolveRefs(unit.env, options.refs));
  const lines: string[] = [];
  const running = await runNode({
    revisionDir: options.workspace.revisionDir,
    port: 0,
    host: '127.0.0.1',
    dataDir: options.workspace.dataDir,
    env,
    ...(options.inFlightPeriodMs !== undefined && { inFlightPeriodMs: options.inFlightPeriodMs }),
    log: (line) => lines.push(line),
  });
  return { running, written: Object.keys(unit.env), read, lines };
}

/** Runs a lambda ion of the notes service on the node, as its proxy would. */
export async function call(node: RunningNodeProcess, lambda: string, event: unknown): Promise<unknown> {
  const answer = await invoke(node.url, `lambda/${lambda}`, invokeBody(event), { secret: SECRET });
  if (answer.status !== 200) throw new Error(`lambda/${lambda} answered ${answer.status}: ${answer.text}`);
  return answer.json();
}
