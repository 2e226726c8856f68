// Function references (`src/web.handler`): where their module is and whether it exports the name.
// Exports are read from an esbuild metafile of the module bundled with its relative imports, the same
// tool that builds revisions, so `export * from`, re-exports and TypeScript all count exactly as they
// will at build time; a module that would not build fails here with esbuild's own message.
import type { BuildFailure } from 'esbuild';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { IonsConfigError } from './config-error.js';

const MODULE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'] as const;

interface ParsedRef {
  /** Module path relative to the service directory, without extension: `src/web`. */
  module: string;
  exportName: string;
}

/** Splits at the last dot: directories may hold dots, export names never do. */
function parseFunctionRef(ref: string): ParsedRef {
  const dot = ref.lastIndexOf('.');
  return { module: ref.slice(0, dot), exportName: ref.slice(dot + 1) };
}

/** The module file a reference points at, relative to the service directory, or undefined. */
function findModuleFile(serviceDir: string, module: string): string | undefined {
  for (const extension of MODULE_EXTENSIONS) {
    const candidate = `${module}${extension}`;
    const absolute = join(serviceDir, candidate);
    if (existsSync(absolute) && statSync(absolute).isFile()) return candidate;
  }
  return undefined;
}

// Required on first use, synchronously (esbuild is CommonJS): a compute node validates revisions
// without function references and runs without esbuild.
const loadEsbuild = (): typeof import('esbuild') => createRequire(import.meta.url)('esbuild') as typeof import('esbuild');

function exportsOf(serviceDir: string, file: string): string[] {
  try {
    const result = loadEsbuild().buildSync({
      entryPoints: [file],
      // Error locations then read relative to the service, like the references themselves.
      absWorkingDir: serviceDir,
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      write: false,
      metafile: true,
      outfile: 'exports-probe.js',
      logLevel: 'silent',
    });
    return Object.values(result.metafile.outputs)[0]?.exports ?? [];
  } catch (error) {
    const first = (error as BuildFailure).errors?.[0];
    if (!first) throw error;
    const at = first.location ? ` (${first.location.file}:${first.location.line}:${first.location.column})` : '';
    throw new Error(`${first.text}${at}`);
  }
}

/** Checks references against the files under one service directory, reading each module once. */
export class FunctionRefChecker {
  private readonly exportsByFile = new Map<string, string[]>();

  private readonly serviceDir: string;

  constructor(serviceDir: string) {
    this.serviceDir = resolve(serviceDir);
  }

  check(ref: string, path: string): void {
    const { module, exportName } = parseFunctionRef(ref);
    const file = findModuleFile(this.serviceDir, module);
    if (!file) {
      const tried = MODULE_EXTENSIONS.map((extension, i) => (i === 0 ? `${module}${extension}` : extension));
      throw new IonsConfigError(path, `module ${module} not found (looked for ${tried.join(', ')})`);
    }
    let names = this.exportsByFile.get(file);
    if (!names) {
      try {
        names = exportsOf(this.serviceDir, file);
      } catch (error) {
        throw new IonsConfigError(path, `module ${file} does not build: ${(error as Error).message}`);
      }
      this.exportsByFile.set(file, names);
    }
    if (!names.includes(exportName)) {
      const has = names.length ? names.join(', ') : 'nothing';
      throw new IonsConfigError(path, `module ${file} has no export '${exportName}' (it exports ${has})`);
    }
  }
}
