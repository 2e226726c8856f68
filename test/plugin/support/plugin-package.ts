// Lays the plugin down as an installed package for the real CLIs: the sources transpiled file by file
// with esbuild into the layout `npm run build` produces (dist/...), under a package.json named
// serverless-ions. Inside node_modules/.cache of the project, so that the package's own imports
// (esbuild, yaml, the AWS SDK) resolve from the project's node_modules as they would once installed.
import { build } from 'esbuild';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { metafileOf } from '../../support/metafile.js';

export const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
// One per test process, so that concurrent runs never rebuild each other's package.
const CACHE_DIR = join(PROJECT_ROOT, `node_modules/.cache/serverless-ions-plugin-test/${process.pid}`);
export const PLUGIN_PACKAGE_DIR = join(CACHE_DIR, 'serverless-ions');

// The proxy handler and the `ions` command are found by path at run time (runtime/proxy/build.ts,
// runtime/push/node-runtime.ts), not imported.
const ROOTS = ['plugin/index.ts', 'runtime/proxy/handler.ts', 'runtime/cli/main.ts'];

/** Source files reachable from the roots; others' unrelated work in progress stays out of the way. */
async function reachableSources(): Promise<string[]> {
  const metafile = await metafileOf(ROOTS.map((root) => join(PROJECT_ROOT, root)));
  return Object.keys(metafile.inputs).map((input) => join(PROJECT_ROOT, input));
}

export async function removePluginPackage(): Promise<void> {
  await rm(CACHE_DIR, { recursive: true, force: true });
}

export async function buildPluginPackage(): Promise<void> {
  await removePluginPackage();
  await mkdir(PLUGIN_PACKAGE_DIR, { recursive: true });
  const entryPoints = await reachableSources();
  await build({
    entryPoints,
    outbase: PROJECT_ROOT,
    outdir: join(PLUGIN_PACKAGE_DIR, 'dist'),
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'silent',
  });
  await writeFile(
    join(PLUGIN_PACKAGE_DIR, 'package.json'),
    JSON.stringify({ name: 'serverless-ions', type: 'module', exports: { '.': './dist/plugin/index.js' } }, null, 2),
  );
}
