// Loads a built revision into this process and resolves its function references. Every reference the
// config makes is resolved up front, so a revision that cannot serve fails here, before any swap.
import { resolve as resolvePath, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FunctionRef, IonsConfig } from '../config/ions-config.js';
import { registerHostModules } from './host-modules.js';
import { readManifest } from './manifest.js';
import { parseRef, referencedFunctions } from './refs.js';

export type RevisionFunction = ((...args: never[]) => unknown) & { ringHandler?: (...args: never[]) => unknown };

export interface LoadedRevision {
  name: string;
  dir: string;
  config: IonsConfig;
  /** The function a reference names; throws for a reference the config does not make. */
  resolve(ref: FunctionRef): RevisionFunction;
}

// Loading the same directory twice (the dev loop rebuilds in place) must evaluate the modules afresh.
let loads = 0;

export async function loadRevision(dir: string): Promise<LoadedRevision> {
  const root = resolvePath(dir);
  const manifest = await readManifest(root);
  await registerHostModules();
  const load = ++loads;
  const modules = new Map<string, Promise<Record<string, unknown>>>();
  const importFile = (file: string): Promise<Record<string, unknown>> => {
    let loaded = modules.get(file);
    if (!loaded) {
      const url = `${pathToFileURL(join(root, file)).href}?revision=${encodeURIComponent(manifest.revision)}&load=${load}`;
      loaded = import(url) as Promise<Record<string, unknown>>;
      modules.set(file, loaded);
    }
    return loaded;
  };
  const functions = new Map<FunctionRef, RevisionFunction>();
  for (const { ref, where } of referencedFunctions(manifest.config)) {
    if (functions.has(ref)) continue;
    const { exportName } = parseRef(ref, where);
    const file = manifest.entries[ref];
    if (!file) throw new Error(`revision ${manifest.revision}: ${where} ("${ref}") has no built module in ions.json`);
    let exports: Record<string, unknown>;
    try {
      exports = await importFile(file);
    } catch (error) {
      throw new Error(`revision ${manifest.revision}: loading ${file} for ${where} ("${ref}") failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const fn = exports[exportName];
    if (typeof fn !== 'function') {
      const available = Object.keys(exports).filter((name) => typeof exports[name] === 'function');
      const what = fn === undefined ? 'has no export' : 'exports a non-function as';
      throw new Error(
        `revision ${manifest.revision}: ${where} ("${ref}"): ${file} ${what} "${exportName}"; its function exports are: ${available.join(', ') || '(none)'}`,
      );
    }
    functions.set(ref, fn as RevisionFunction);
  }
  return {
    name: manifest.revision,
    dir: root,
    config: manifest.config,
    resolve(ref) {
      const fn = functions.get(ref);
      if (!fn) throw new Error(`revision ${manifest.revision} has no function ${ref}: the config references only ${[...functions.keys()].join(', ')}`);
      return fn;
    },
  };
}
