// `ions dev`: the service running locally behind a local API Gateway, rebuilt and hot-swapped
// whenever its sources change.
import { HEALTH_PATH } from '../protocol/wire.js';
import { removeDevState, writeDevState } from './dev-state.js';
import { startGateway, type Gateway, type GatewayRouting } from './gateway.js';
import { startLocalApp, type LocalApp } from './local-app.js';
import { localInvoker, type LocalInvoke } from './local-proxy.js';
import { defaultWebLambda, FUNCTION_URL_PREFIX, functionUrlsOf, routesOf } from './routes.js';
import { watchSources, type SourceWatcher } from './watch-sources.js';

export const DEFAULT_DEV_PORT = 3000;

export interface DevOptions {
  serviceDir: string;
  /** Gateway port; 0 picks a free one. */
  port?: number;
  nodePort?: number;
  watch?: boolean;
  log?: (line: string) => void;
}

export interface DevServer {
  url: string;
  nodeUrl: string;
  revision(): string;
  /** Resolves once every change seen so far has been built and swapped in (or has failed). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export async function startDev(options: DevOptions): Promise<DevServer> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  // Set once the app runs, and again after each swap.
  let live: { routing: GatewayRouting; invoke: LocalInvoke } | undefined;
  // The gateway listens first, so a port in use is reported before anything is built; until the app
  // runs it answers 503.
  const gateway: Gateway = await startGateway({
    port: options.port ?? DEFAULT_DEV_PORT,
    routing: () => live?.routing,
    invoke: async (lambda, event) => {
      if (live === undefined) throw new Error('ions dev: the app is not running yet');
      return live.invoke(lambda, event);
    },
    log,
  });
  let app: LocalApp;
  try {
    app = await startLocalApp({ serviceDir: options.serviceDir, nodePort: options.nodePort });
  } catch (err) {
    await gateway.close();
    throw err;
  }
  const configure = () => {
    const { config } = app.service;
    live = {
      routing: {
        routes: routesOf(config),
        defaultLambda: defaultWebLambda(config),
        httpDirectUrl: config.httpDirect === undefined ? undefined : app.nodeUrl,
        functionUrls: functionUrlsOf(config),
      },
      invoke: localInvoker({ serviceName: app.service.name, config, nodeUrl: app.nodeUrl, secretFile: app.secretFile }),
    };
  };
  try {
    configure();
  } catch (err) {
    await gateway.close();
    await app.close();
    throw err;
  }
  await writeDevState(app.ionsDir, { pid: process.pid, nodeUrl: app.nodeUrl, gatewayUrl: gateway.url, secretFile: app.secretFile });
  log(`ions dev: ${app.service.config.app} revision ${app.revision} on ${gateway.url} (node ${app.nodeUrl}${HEALTH_PATH})`);
  for (const lambda of functionUrlsOf(app.service.config)) log(`ions dev: function URL of ${lambda}: ${gateway.url}${FUNCTION_URL_PREFIX}${lambda}/`);

  // Swaps run one at a time; changes arriving during a build are picked up by one more build after it.
  let swapping: Promise<void> = Promise.resolve();
  let dirty = false;
  const swap = () => {
    if (dirty) return;
    dirty = true;
    swapping = swapping.then(async () => {
      dirty = false;
      try {
        await app.reload();
        configure();
        log(`ions dev: swapped to revision ${app.revision}`);
      } catch (err) {
        log(`ions dev: the change did not load, still serving ${app.revision}:\n${err instanceof Error ? err.message : String(err)}`);
      }
    });
  };
  const watcher: SourceWatcher | undefined = options.watch === false ? undefined : watchSources(app.service.dir, swap);

  return {
    url: gateway.url,
    nodeUrl: app.nodeUrl,
    revision: () => app.revision,
    async settled() {
      let seen: Promise<void>;
      do {
        seen = swapping;
        await seen;
      } while (seen !== swapping);
    },
    async close() {
      watcher?.close();
      await swapping;
      await gateway.close();
      await removeDevState(app.ionsDir);
      await app.close();
    },
  };
}
