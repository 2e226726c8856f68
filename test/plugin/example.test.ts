import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ionsSchema, type JsonSchema } from '../../runtime/config/schema.js';
import { validateIonsConfig } from '../../runtime/config/validate.js';

const file = fileURLToPath(new URL('../../serverless.yml.example', import.meta.url));
const text = readFileSync(file, 'utf8');

/** Every property name the schema declares, at any depth. */
function keysOf(schema: JsonSchema, path = 'ions'): string[] {
  const own = Object.entries(schema.properties ?? {}).flatMap(([key, child]) => [`${path}.${key}`, ...keysOf(child, `${path}.${key}`)]);
  const additional = typeof schema.additionalProperties === 'object' ? keysOf(schema.additionalProperties, `${path}.<name>`) : [];
  const alternatives = (schema.anyOf ?? []).flatMap((alternative) => keysOf(alternative, path));
  return [...own, ...additional, ...alternatives, ...(schema.items ? keysOf(schema.items, `${path}[]`) : [])];
}

describe('serverless.yml.example', () => {
  it('holds a valid ions block', () => {
    const { service, ions } = parse(text) as { service: string; ions: unknown };
    expect(() => validateIonsConfig(ions, { serviceDir: '.', service, stage: 'prod', checkModules: false })).not.toThrow();
  });

  it('documents every key of the schema', () => {
    const undocumented = keysOf(ionsSchema).filter((path) => !new RegExp(`^\\s*#?\\s*${path.split('.').pop()}:`, 'm').test(text));
    expect(undocumented).toEqual([]);
  });
});
