// The real proxy code, configured the way the plugin configures a deployed proxy Lambda, but pointed
// at the local node and the local key.
import type { IonsConfig } from '../config/ions-config.js';
import { PROXY_ENV } from '../protocol/proxy-env.js';
import { createProxyHandler, type ProxyHandler } from '../proxy/handler.js';
import { localLambdaContext } from './lambda-context.js';

export interface LocalProxyTarget {
  serviceName: string;
  config: IonsConfig;
  nodeUrl: string;
  secretFile: string;
}

export type LocalInvoke = (lambda: string, event: unknown) => Promise<unknown>;

/** Invokes lambda ions through one proxy per lambda, as AWS would; unknown names are refused. */
export function localInvoker(target: LocalProxyTarget): LocalInvoke {
  const proxies = new Map<string, ProxyHandler>();
  const { config } = target;
  const group = Object.keys(config.groups ?? {})[0] ?? 'primary';
  return async (lambda, event) => {
    const ion = config.lambdas?.[lambda];
    if (ion === undefined) {
      const known = Object.keys(config.lambdas ?? {});
      throw new Error(`no lambda ion named ${JSON.stringify(lambda)} in ions.lambdas (known: ${known.join(', ') || 'none'})`);
    }
    let proxy = proxies.get(lambda);
    if (proxy === undefined) {
      proxy = createProxyHandler({
        [PROXY_ENV.app]: config.app,
        [PROXY_ENV.group]: ion.group ?? group,
        [PROXY_ENV.target]: lambda,
        [PROXY_ENV.integration]: ion.integration === 'api-gateway' ? 'api-gateway' : 'event',
        [PROXY_ENV.endpoint]: target.nodeUrl,
        [PROXY_ENV.secretFile]: target.secretFile,
      });
      proxies.set(lambda, proxy);
    }
    const functionName = `${target.serviceName}-dev-${ion.group ?? group}-${lambda}`;
    return proxy(event, localLambdaContext(functionName, ion.timeout, ion.memorySize));
  };
}
