// Paths: a configured base path (an API Gateway custom domain's mapping) is stripped from the front
// of every uri, by whole segments so that `/api` never eats the front of `/apiary`.

export function normalizeBasePath(basePath: string | undefined): string | undefined {
  if (basePath === undefined) return undefined;
  if (typeof basePath !== 'string') {
    throw new TypeError(`ionize options.basePath must be a string such as '/api', got ${typeof basePath}`);
  }
  let path = basePath.startsWith('/') ? basePath : '/' + basePath;
  while (path.endsWith('/')) path = path.slice(0, -1);
  return path === '' ? undefined : path;
}

export function stripPrefix(path: string, prefix: string | undefined): string {
  if (prefix === undefined || !path.startsWith(prefix)) return path;
  if (path.length === prefix.length) return '/';
  return path.charCodeAt(prefix.length) === 47 ? path.slice(prefix.length) : path;
}
