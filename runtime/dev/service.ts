// A Serverless service directory as the dev loop sees it: its serverless.yml and the `ions` block.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { IonsConfigError } from '../config/config-error.js';
import type { IonsConfig } from '../config/ions-config.js';
import { validateIonsConfig } from '../config/validate.js';

export interface Service {
  dir: string;
  /** `service:` of serverless.yml. */
  name: string;
  config: IonsConfig;
}

const FILE_NAMES = ['serverless.yml', 'serverless.yaml'];

export async function loadService(serviceDir: string): Promise<Service> {
  const dir = resolve(serviceDir);
  const found = await readFirst(dir);
  if (found === undefined) {
    throw new Error(`no serverless.yml in ${dir}: run ions in a Serverless service directory, or pass one`);
  }
  let doc: unknown;
  try {
    doc = parse(found.text);
  } catch (err) {
    throw new Error(`${found.file}: not valid YAML (${(err as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null) throw new Error(`${found.file}: expected a YAML mapping`);
  const { service, ions } = doc as { service?: unknown; ions?: unknown };
  if (ions === undefined || ions === null) {
    throw new Error(`${found.file}: no \`ions\` block; add one (see serverless.yml.example) to run this service with ions`);
  }
  if (typeof ions !== 'object' || Array.isArray(ions)) throw new Error(`${found.file}: \`ions\` must be a mapping`);
  const name = serviceName(service) ?? (ions as { app?: unknown }).app;
  if (typeof name !== 'string') throw new Error(`${found.file}: needs a \`service:\` name`);
  let config: IonsConfig;
  try {
    // The stage only shapes deployed names, which the dev loop does not use.
    config = validateIonsConfig(ions, { serviceDir: dir, service: name, stage: 'dev' });
  } catch (err) {
    if (err instanceof IonsConfigError) throw new Error(`${found.file}: ${err.message}`, { cause: err });
    throw err;
  }
  return { dir, name, config };
}

function serviceName(service: unknown): string | undefined {
  if (typeof service === 'string') return service;
  const name = (service as { name?: unknown } | null | undefined)?.name;
  return typeof name === 'string' ? name : undefined;
}

async function readFirst(dir: string): Promise<{ file: string; text: string } | undefined> {
  for (const name of FILE_NAMES) {
    const file = join(dir, name);
    try {
      return { file, text: await readFile(file, 'utf8') };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return undefined;
}
