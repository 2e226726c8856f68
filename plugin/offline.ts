// serverless-offline support: `serverless offline` runs the generated proxy functions from the real
// proxy artifact (it unpacks `package.artifact` like Lambda does), so they need the artifact built,
// a local node to forward to, and the local HMAC key in place of the SSM parameter. The local
// runtime is imported on use, so packaging never loads it.
import type { LocalApp } from '../runtime/dev/local-app.js';
import { PROXY_ENV } from '../runtime/protocol/proxy-env.js';
import type { IonsModel } from './model.js';
import { buildProxyArtifact } from './proxy-artifact.js';
import type { ServerlessFunction } from './proxy-functions.js';

export async function startOfflineNode(serviceDir: string, model: IonsModel, functions: Record<string, unknown>): Promise<LocalApp> {
  await buildProxyArtifact(serviceDir);
  const { startLocalApp } = await import('../runtime/dev/local-app.js');
  const app = await startLocalApp({ serviceDir });
  for (const proxy of model.proxies) {
    const fn = functions[proxy.key] as ServerlessFunction;
    const { [PROXY_ENV.secretParameter]: _deployedKey, ...environment } = fn.environment;
    fn.environment = { ...environment, [PROXY_ENV.endpoint]: app.nodeUrl, [PROXY_ENV.secretFile]: app.secretFile };
  }
  return app;
}
