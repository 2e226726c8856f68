// The packages a revision needs at run time: those its app code imports, and everything they depend
// on, found the way Node finds them (the nearest node_modules up the tree). Each is shipped as its own
// chunk keyed by name@version, so app code changes never re-ship a dependency.
import { existsSync, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { ExternalImport } from '../revision/index.js';

export interface DependencyPackage {
  name: string;
  version: string;
  /** Absolute directory holding the package. */
  dir: string;
  /** Where it goes inside a revision: `node_modules/yaml`, or nested `node_modules/a/node_modules/b`. */
  path: string;
}

/** `@scope/name/sub/path` -> `@scope/name`; `name/sub` -> `name`. */
export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

export async function dependencyClosure(imports: readonly ExternalImport[]): Promise<DependencyPackage[]> {
  const byDir = new Map<string, DependencyPackage>();
  const byPath = new Map<string, DependencyPackage>();
  const visit = async (name: string, fromDir: string, needed: string): Promise<void> => {
    const dir = findPackageDir(name, fromDir);
    if (!dir) throw new Error(`${needed} needs package ${name}, which is not installed (no node_modules/${name} above ${fromDir}); run npm install`);
    if (byDir.has(dir)) return;
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as PackageJson;
    const pkg: DependencyPackage = { name, version: manifest.version ?? '0.0.0', dir, path: revisionPath(dir) };
    const clash = byPath.get(pkg.path);
    if (clash) {
      throw new Error(`two installs of ${name} (${clash.dir}@${clash.version} and ${dir}@${pkg.version}) would share ${pkg.path} in the revision; dedupe them (npm dedupe)`);
    }
    byDir.set(dir, pkg);
    byPath.set(pkg.path, pkg);
    const optional = new Set(Object.keys({ ...manifest.optionalDependencies, ...manifest.peerDependencies }));
    for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies, ...manifest.peerDependencies })) {
      if (optional.has(dep) && !findPackageDir(dep, dir)) continue;
      await visit(dep, dir, `${name}@${pkg.version}`);
    }
  };
  for (const { specifier, importer } of imports) await visit(packageName(specifier), dirname(importer), importer);
  return [...byDir.values()].sort((a, b) => a.path.localeCompare(b.path));
}

interface PackageJson {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

function findPackageDir(name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(dir) === dir) return undefined;
  }
}

/** The part of the package's path from its outermost node_modules on: its place in any install. */
function revisionPath(dir: string): string {
  const parts = dir.split(sep);
  const first = parts.indexOf('node_modules');
  if (first < 0) throw new Error(`package directory ${dir} is not inside a node_modules directory (a linked package?); install it from a registry`);
  return relative(parts.slice(0, first).join(sep) || sep, dir).split(sep).join('/');
}
