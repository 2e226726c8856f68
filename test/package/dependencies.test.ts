// What the published package imports must be installed with it. Inside this repository every import
// resolves (devDependencies included), so only a check of the imports themselves catches a package
// that a user's `npm install serverless-ions` would not bring.
import { readFile, readdir } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { metafileOf } from '../support/metafile.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Every entry a user or a node runs: the exports, the `ions` bin, and the proxy handler, which the
// plugin bundles at package time from the installed package.
const ENTRIES = ['plugin/index.ts', 'adapter/index.ts', 'runtime/index.ts', 'runtime/cli/main.ts', 'runtime/proxy/handler.ts'];

interface PackageJson {
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const packageJson = async (): Promise<PackageJson> => JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as PackageJson;
const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
/** `@scope/name/sub/path` -> `@scope/name`, `name/sub` -> `name`. */
const packageOf = (specifier: string): string => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

async function importedPackages(): Promise<Map<string, string[]>> {
  const metafile = await metafileOf(ENTRIES.map((entry) => join(ROOT, entry)));
  const importers = new Map<string, string[]>();
  for (const [file, input] of Object.entries(metafile.inputs)) {
    for (const { path, external } of input.imports) {
      // A relative path is a file of this package (esbuild leaves one external now and then in an import cycle).
      if (!external || builtins.has(path) || path.startsWith('.')) continue;
      const name = packageOf(path);
      importers.set(name, [...(importers.get(name) ?? []), file]);
    }
  }
  return importers;
}

async function declarationFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await declarationFiles(path)));
    else if (entry.name.endsWith('.d.ts')) found.push(path);
  }
  return found;
}

describe('the published package', () => {
  it('lists every package its code imports, statically or on demand, in dependencies', async () => {
    const { dependencies = {}, peerDependencies = {} } = await packageJson();
    const missing = [...(await importedPackages())].filter(([name]) => !(name in dependencies) && !(name in peerDependencies));
    expect(Object.fromEntries(missing)).toEqual({});
  });

  it('lists the type packages its declarations import, so that its types compile where it is installed', async () => {
    const { dependencies = {} } = await packageJson();
    const missing: Record<string, string> = {};
    for (const file of await declarationFiles(join(ROOT, 'dist'))) {
      for (const [, specifier] of (await readFile(file, 'utf8')).matchAll(/from '([^'.][^']*)'/g)) {
        if (builtins.has(specifier!)) continue;
        const name = packageOf(specifier!);
        const typesName = `@types/${name.replace(/^@/, '').replace('/', '__')}`;
        if (!(name in dependencies) && !(typesName in dependencies)) missing[name] = relative(ROOT, file);
        // A package with its own types is enough; one without needs its @types package beside it.
        if (name in dependencies && !(typesName in dependencies) && !(await hasOwnTypes(name))) missing[`${typesName} (for ${name})`] = relative(ROOT, file);
      }
    }
    expect(missing).toEqual({});
  });
});

async function hasOwnTypes(name: string): Promise<boolean> {
  const pkg = JSON.parse(await readFile(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { types?: string; typings?: string; exports?: unknown };
  return pkg.types !== undefined || pkg.typings !== undefined || JSON.stringify(pkg.exports ?? {}).includes('"types"');
}
