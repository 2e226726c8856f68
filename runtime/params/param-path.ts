// SSM parameter paths: `/app/stage/` style hierarchies. getParams hands back names relative to the
// path it was asked for, the way an app refers to them (`db/url` rather than `/app/prod/db/url`).

/** The path with exactly one trailing slash; throws when it cannot be an SSM hierarchy path. */
export function normalizePath(path: string): string {
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new TypeError(`getParams: path must start with "/" (an SSM hierarchy such as "/my-app/prod/"), got ${JSON.stringify(path)}`);
  }
  return path.endsWith('/') ? path : `${path}/`;
}

/** `name` below `path`, without the path prefix. */
export function relativeName(path: string, name: string): string {
  const prefix = normalizePath(path);
  return name.startsWith(prefix) ? name.slice(prefix.length) : name;
}
