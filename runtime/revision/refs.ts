// Function references (`src/web.handler`) and the places in an ions config that hold them.
import type { FunctionRef, IonsConfig } from '../config/ions-config.js';

export interface ParsedRef {
  /** Module path relative to the service directory, without extension: `src/web`. */
  module: string;
  exportName: string;
}

/** Splits at the last dot: directories may hold dots, export names never do. */
export function parseRef(ref: FunctionRef, where: string): ParsedRef {
  const dot = ref.lastIndexOf('.');
  const module = ref.slice(0, dot);
  const exportName = ref.slice(dot + 1);
  if (dot <= 0 || !exportName || module.endsWith('/') || !/^[A-Za-z_$][\w$]*$/.test(exportName)) {
    throw new Error(`${where}: "${ref}" is not a function reference like src/web.handler (module path, a dot, an export name)`);
  }
  return { module, exportName };
}

export interface RefUse {
  ref: FunctionRef;
  /** Where in the config the reference sits, for error messages: `ions.lambdas.web.fn`. */
  where: string;
}

/** Every function reference the config makes, in config order. */
export function referencedFunctions(config: IonsConfig): RefUse[] {
  const uses: RefUse[] = [];
  for (const [name, lambda] of Object.entries(config.lambdas ?? {})) uses.push({ ref: lambda.fn, where: `ions.lambdas.${name}.fn` });
  if (config.httpDirect) uses.push({ ref: config.httpDirect.handler, where: 'ions.httpDirect.handler' });
  (config.allow ?? []).forEach((ref, i) => uses.push({ ref, where: `ions.allow[${i}]` }));
  return uses;
}
