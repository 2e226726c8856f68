// `ions node`: a compute node as a long-running process (systemd on EC2, a container), serving one
// built revision until CodeDeploy or a signal replaces it. On EC2 its settings come from the
// environment file the stack's user data writes (names in runtime/config/node-env.ts).
import { join, resolve } from 'node:path';
import { DEFAULT_NODE_PORT, type IonsConfig } from '../config/ions-config.js';
import { NODE_ENV, readNodeEnv, type EnvVars } from '../config/node-env.js';
import { IN_FLIGHT_PERIOD_SECONDS } from '../config/node-metrics.js';
import { startNode } from '../node/index.js';
import { loadSecret } from '../proxy/secret.js';
import { readManifest } from '../revision/index.js';
import { advertiseUrl } from './advertise-url.js';
import { openNodeStorage } from './node-storage.js';
import { readParameter } from './ssm-parameter.js';

export interface NodeCommandOptions {
  revisionDir: string;
  /** Else IONS_PORT, else 8182. */
  port?: number;
  host: string;
  /** Where a `file` storage without its own `dir` keeps its data, and scale-out nodes their segment cache (segment-cache/). */
  dataDir: string;
  /** The node's environment; process.env by default. */
  env?: EnvVars;
  /** How often the InFlight metric is reported; the scaling period by default. */
  inFlightPeriodMs?: number;
  log?: (line: string) => void;
}

export interface RunningNodeProcess {
  url: string;
  close(): Promise<void>;
}

/** The stack's ions config, as the plugin publishes it for the nodes. */
async function readStackConfig(name: string): Promise<IonsConfig> {
  const text = await readParameter(name, `the stack's ions config, named by ${NODE_ENV.configParameter}`, { decrypt: false });
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (error) {
    throw new Error(`SSM parameter ${name} (${NODE_ENV.configParameter}) is not JSON: ${(error as Error).message}`);
  }
  if (typeof config !== 'object' || config === null || typeof (config as IonsConfig).app !== 'string') {
    throw new Error(`SSM parameter ${name} (${NODE_ENV.configParameter}) does not hold an ions config (an object with an app name)`);
  }
  return config as IonsConfig;
}

export async function runNode(options: NodeCommandOptions): Promise<RunningNodeProcess> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const env = options.env ?? process.env;
  const settings = readNodeEnv(env);
  const revisionDir = resolve(options.revisionDir);
  const manifest = await readManifest(revisionDir);
  const { app } = manifest.config;
  if (settings.app !== undefined && settings.app !== app) {
    throw new Error(`the revision in ${revisionDir} is of app ${app}, but this node serves ${NODE_ENV.app}=${settings.app}`);
  }
  const stackConfig = settings.configParameter === undefined ? undefined : await readStackConfig(settings.configParameter);
  if (stackConfig !== undefined && stackConfig.app !== app) {
    throw new Error(`the revision in ${revisionDir} is of app ${app}, but the stack's config (${settings.configParameter}) is of app ${stackConfig.app}`);
  }
  const secret = await loadSecret(env);
  const { type, storage } = await openNodeStorage({
    settings,
    config: stackConfig ?? manifest.config,
    configSource: stackConfig === undefined ? `the revision's ions.json` : `SSM parameter ${settings.configParameter}`,
    dataDir: options.dataDir,
  });
  const port = options.port ?? settings.port ?? DEFAULT_NODE_PORT;
  const advertise = advertiseUrl(options.host, port);
  let node;
  try {
    node = await startNode({
      revisionDir,
      port,
      host: options.host,
      secret,
      storage,
      ...(settings.group !== undefined && { group: settings.group }),
      ...(settings.primaryEndpoint !== undefined && { primaryEndpoint: settings.primaryEndpoint }),
      ...(advertise !== undefined && { advertiseUrl: advertise }),
      // Databases on the scale-out backends are checkpointed as index segments; file and memory keep snapshots.
      ...((type === 'postgres' || type === 'dynamodb') && { segments: {}, segmentCacheDir: join(options.dataDir, 'segment-cache') }),
      inFlightPeriodMs: options.inFlightPeriodMs ?? IN_FLIGHT_PERIOD_SECONDS * 1000,
    });
  } catch (err) {
    await storage.close();
    throw err;
  }
  const role = settings.primaryEndpoint === undefined ? '' : `, query group of the primary at ${settings.primaryEndpoint}`;
  log(`ions node: ${app} revision ${manifest.revision} on ${node.url}, ${type} storage${role}`);
  return {
    url: node.url,
    async close() {
      await node.close();
      await storage.close();
    },
  };
}
