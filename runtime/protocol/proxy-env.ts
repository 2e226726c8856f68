// Environment variables through which a generated proxy Lambda learns what it serves. The plugin
// writes them; the proxy reads them; nothing else configures a proxy.
export const PROXY_ENV = {
  app: 'IONS_APP',
  group: 'IONS_GROUP',
  /** The lambda ion's name in the `ions.lambdas` map. */
  target: 'IONS_TARGET',
  /** `api-gateway` for web ions, `event` for everything else: decides how failures surface. */
  integration: 'IONS_INTEGRATION',
  /** Base URL(s) of the compute group's nodes, comma separated: `http://internal-nlb:8182`. */
  endpoint: 'IONS_ENDPOINT',
  /** Name of the SSM SecureString holding the HMAC key (deployed proxies). */
  secretParameter: 'IONS_SECRET_PARAMETER',
  /** Local development only: a file holding the HMAC key, or the key itself. */
  secretFile: 'IONS_SECRET_FILE',
  secret: 'IONS_SECRET',
  /** `1`: the proxy answers as a Lambda response stream (a function URL with InvokeMode RESPONSE_STREAM). */
  streaming: 'IONS_STREAMING',
} as const;
