// The real proxy code, configured the way the plugin configures a deployed proxy Lambda, but pointed
// at the local node and the local key. A streaming lambda runs its streaming proxy on the stand-in
// for Lambda's `awslambda` global, and answers with the stream as a function URL would.
import type { IonsConfig } from '../config/ions-config.js';
import { PROXY_ENV } from '../protocol/proxy-env.js';
import { createLambdaHandler, type LambdaHandler, type ProxyHandler } from '../proxy/handler.js';
import { installAwsLambda, isStreamingHandler } from './awslambda.js';
import { invokeStreaming } from './function-url-stream.js';
import { localLambdaContext } from './lambda-context.js';

export interface LocalProxyTarget {
  serviceName: string;
  config: IonsConfig;
  nodeUrl: string;
  secretFile: string;
}

/** The Lambda's result, or a StreamedInvocation for a streaming lambda. */
export type LocalInvoke = (lambda: string, event: unknown) => Promise<unknown>;

/** Invokes lambda ions through one proxy per lambda, as AWS would; unknown names are refused. */
export function localInvoker(target: LocalProxyTarget): LocalInvoke {
  const proxies = new Map<string, LambdaHandler>();
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
      if (ion.streaming === true) installAwsLambda();
      proxy = createLambdaHandler({
        [PROXY_ENV.app]: config.app,
        [PROXY_ENV.group]: ion.group ?? group,
        [PROXY_ENV.target]: lambda,
        [PROXY_ENV.integration]: ion.integration === 'api-gateway' ? 'api-gateway' : 'event',
        [PROXY_ENV.endpoint]: target.nodeUrl,
        [PROXY_ENV.secretFile]: target.secretFile,
        ...(ion.streaming === true && { [PROXY_ENV.streaming]: '1' }),
      });
      proxies.set(lambda, proxy);
    }
    const functionName = `${target.serviceName}-dev-${ion.group ?? group}-${lambda}`;
    const context = localLambdaContext(functionName, ion.timeout, ion.memorySize);
    if (isStreamingHandler(proxy)) return invokeStreaming(proxy, event, context);
    // Not marked by streamifyResponse: the usual `(event, context)` handler.
    return (proxy as ProxyHandler)(event, context);
  };
}
