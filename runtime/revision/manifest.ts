// `ions.json`: what a built revision holds. Written by buildRevision, read by loadRevision.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FunctionRef, IonsConfig } from '../config/ions-config.js';

export const MANIFEST_FILE = 'ions.json';

export interface RevisionManifest {
  revision: string;
  config: IonsConfig;
  /** Function reference -> built module file, relative to the revision directory. */
  entries: Record<FunctionRef, string>;
}

export async function readManifest(dir: string): Promise<RevisionManifest> {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`no revision in ${dir}: cannot read ${MANIFEST_FILE} (${(error as Error).message})`, { cause: error });
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const m = manifest as Partial<RevisionManifest> | null;
  if (!m || typeof m.revision !== 'string' || !m.revision) throw new Error(`${path}: "revision" must be a non-empty string`);
  if (!m.config || typeof m.config !== 'object' || typeof m.config.app !== 'string') {
    throw new Error(`${path}: "config" must be an ions config with an "app" name`);
  }
  if (!m.entries || typeof m.entries !== 'object') throw new Error(`${path}: "entries" must map function references to files`);
  return m as RevisionManifest;
}
