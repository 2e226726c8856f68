// Builds an app revision: every module the ions config references, bundled with esbuild into one
// directory with shared chunks, plus `ions.json`. File names carry content hashes, so rebuilding into
// the same directory never changes a file a running revision may still import.
import type { Metafile, Plugin } from 'esbuild';
import { existsSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { IonsConfig } from '../config/ions-config.js';
import { hostModuleSource, isHostSpecifier } from './host-modules.js';
import { MANIFEST_FILE, type RevisionManifest } from './manifest.js';
import { parseRef, referencedFunctions } from './refs.js';

export interface BuildRevisionOptions {
  serviceDir: string;
  config: IonsConfig;
  outDir: string;
  /** Revision name: a commit SHA, `unreproducible-<name>`, or anything the dev loop picks. */
  name: string;
  /**
   * `bundle` (the default, for the dev loop) puts every dependency into the revision's files;
   * `external` leaves imports of packages as they are, for `push`, which ships each package apart
   * from the app code (see runtime/push).
   */
  dependencies?: 'bundle' | 'external';
}

export interface BuiltRevision {
  dir: string;
  manifest: RevisionManifest;
  /** Bare imports left to Node's resolution (`dependencies: 'external'`), each with the source file importing it. */
  externalImports: ExternalImport[];
}

export interface ExternalImport {
  specifier: string;
  /** Absolute path of the importing source file. */
  importer: string;
}

const SOURCE_EXTENSIONS = ['.ts', '.mts', '.tsx', '.js', '.mjs', '.jsx', '.cts', '.cjs'];

// Bundled CommonJS dependencies still call require (for Node's built-ins) and read __filename and
// __dirname, which ES modules lack. Each output file declares its own `require` (esbuild renames any
// top-level `require` of app code out of its way, as the bundle uses the global one); the two paths go
// under names no app code uses, through `define`, so an app's own `const __dirname` cannot clash.
// Also what any other ESM bundle for Node needs (the proxy benchmark bundles the node with it).
export const ESM_NODE_SHIMS = {
  banner: {
    js: [
      "import { createRequire as __ionsCreateRequire } from 'node:module';",
      "import { fileURLToPath as __ionsFileURLToPath } from 'node:url';",
      'const require = __ionsCreateRequire(import.meta.url);',
      'const __ionsFilename = __ionsFileURLToPath(import.meta.url);',
      "const __ionsDirname = __ionsFileURLToPath(new URL('.', import.meta.url));",
    ].join('\n'),
  },
  define: { __filename: '__ionsFilename', __dirname: '__ionsDirname' },
};

export async function buildRevision({ serviceDir, config, outDir, name, dependencies = 'bundle' }: BuildRevisionOptions): Promise<BuiltRevision> {
  if (!name) throw new Error('buildRevision: a revision needs a name');
  const root = resolve(serviceDir);
  const dir = resolve(outDir);
  const sources = new Map<string, string>(); // module path -> absolute source file
  const uses = referencedFunctions(config).map((use) => ({ ...use, ...parseRef(use.ref, use.where) }));
  for (const use of uses) {
    if (sources.has(use.module)) continue;
    sources.set(use.module, findSource(root, use.module, `${use.where} ("${use.ref}")`));
  }
  await mkdir(dir, { recursive: true });
  // Imported on first use: a compute node loads revisions through this module and never builds one.
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [...sources.values()],
    outdir: dir,
    outbase: root,
    absWorkingDir: root,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    entryNames: '[dir]/[name]-[hash]',
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    ...ESM_NODE_SHIMS,
    packages: dependencies === 'external' ? 'external' : undefined,
    plugins: [hostImports],
    metafile: true,
    logLevel: 'silent',
  }).catch((error: unknown) => {
    throw new Error(`building revision ${name} from ${root} failed: ${(error as Error).message}`, { cause: error });
  });
  const built = builtEntries(result.metafile, root, dir);
  const entries: RevisionManifest['entries'] = {};
  for (const use of uses) {
    const file = built.get(sources.get(use.module)!);
    if (!file) throw new Error(`esbuild produced no output for ${use.module} (${use.where})`);
    entries[use.ref] = file;
  }
  const manifest: RevisionManifest = { revision: name, config, entries };
  await writeFile(join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
  return { dir, manifest, externalImports: externalImports(result.metafile, root) };
}

const HOST_NAMESPACE = 'serverless-ions-host';

/** `serverless-ions/runtime` and `/adapter` read the host's modules (host-modules.ts); the plugin is no app import. */
const hostImports: Plugin = {
  name: 'serverless-ions-host',
  setup(build) {
    build.onResolve({ filter: /^serverless-ions(\/.*)?$/ }, ({ path, importer }) => {
      if (isHostSpecifier(path)) return { path, namespace: HOST_NAMESPACE };
      return {
        errors: [{ text: `${importer} imports "${path}": app code may import only serverless-ions/runtime and serverless-ions/adapter` }],
      };
    });
    build.onLoad({ filter: /.*/, namespace: HOST_NAMESPACE }, async ({ path }) => ({
      contents: await hostModuleSource(path as Parameters<typeof hostModuleSource>[0]),
      loader: 'js',
    }));
  },
};

function externalImports(metafile: Metafile, root: string): ExternalImport[] {
  const found: ExternalImport[] = [];
  for (const [input, meta] of Object.entries(metafile.inputs)) {
    for (const imported of meta.imports) {
      if (!imported.external || isBuiltin(imported.path) || /^[./]/.test(imported.path)) continue;
      found.push({ specifier: imported.path, importer: resolve(root, input) });
    }
  }
  return found;
}

function findSource(root: string, module: string, where: string): string {
  const base = resolve(root, module);
  const candidates = [...SOURCE_EXTENSIONS.map((ext) => base + ext), ...SOURCE_EXTENSIONS.map((ext) => join(base, 'index' + ext))];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found) return found;
  throw new Error(`${where}: module ${module} not found in ${root} (looked for ${module}{${SOURCE_EXTENSIONS.join(',')}} and ${module}/index.*)`);
}

/** Absolute source file -> output file relative to the revision directory. */
function builtEntries(metafile: Metafile, root: string, dir: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const [output, meta] of Object.entries(metafile.outputs)) {
    if (!meta.entryPoint) continue;
    entries.set(resolve(root, meta.entryPoint), relative(dir, resolve(root, output)));
  }
  return entries;
}
