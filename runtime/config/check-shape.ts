// Structural check of a value against the subset of JSON Schema that schema.ts uses. Serverless
// validates the same schema with AJV, but only warns by default and is absent in the dev loop and on
// a node, so this check is what actually stops a bad config, naming the key path.
import { IonsConfigError } from './config-error.js';
import type { JsonSchema } from './schema.js';

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `'${value}'`;
  return `${typeof value} ${String(value)}`;
}

function typeMatches(type: NonNullable<JsonSchema['type']>, value: unknown): boolean {
  switch (type) {
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'string':
    case 'boolean':
      return typeof value === type;
  }
}

const article = (type: string): string => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

function checkScalar(schema: JsonSchema, value: unknown, path: string): void {
  const fail = (message: string): never => {
    throw new IonsConfigError(path, message);
  };
  if (schema.enum && !schema.enum.includes(value as string | number)) {
    fail(`must be one of ${schema.enum.map((v) => (typeof v === 'string' ? `'${v}'` : String(v))).join(', ')}; got ${describeValue(value)}`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) fail(`must be at least ${schema.minimum}, got ${value}`);
    if (schema.maximum !== undefined && value > schema.maximum) fail(`must be at most ${schema.maximum}, got ${value}`);
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) fail(`must not be empty`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength) {
      fail(`is ${value.length} characters, at most ${schema.maxLength} allowed`);
    }
    if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) {
      fail(`${describeValue(value)} is not ${schema.description ?? `matching ${schema.pattern}`}`);
    }
  }
}

const accepts = (schema: JsonSchema, value: unknown, path: string): boolean => {
  try {
    checkShape(schema, value, path);
    return true;
  } catch (error) {
    if (error instanceof IonsConfigError) return false;
    throw error;
  }
};

/**
 * An object goes to the object alternative, so that a mistake inside it is named by its own key path;
 * any other value either fits an alternative or gets the `anyOf`'s description.
 */
function checkAnyOf(schema: JsonSchema & { anyOf: JsonSchema[] }, value: unknown, path: string): void {
  const objectAlternative = schema.anyOf.find((alternative) => alternative.type === 'object');
  if (objectAlternative && typeMatches('object', value)) return checkShape(objectAlternative, value, path);
  if (schema.anyOf.some((alternative) => accepts(alternative, value, path))) return;
  throw new IonsConfigError(path, `expected ${schema.description ?? 'one of several shapes'}, got ${describeValue(value)}`);
}

/** Throws an IonsConfigError at the first place where `value` breaks `schema`. */
export function checkShape(schema: JsonSchema, value: unknown, path: string): void {
  if (schema.anyOf) return checkAnyOf(schema as JsonSchema & { anyOf: JsonSchema[] }, value, path);
  if (schema.type && !typeMatches(schema.type, value)) {
    throw new IonsConfigError(path, `expected ${article(schema.type)}, got ${describeValue(value)}`);
  }
  checkScalar(schema, value, path);
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) {
      throw new IonsConfigError(path, `needs at least ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}`);
    }
    if (schema.items) value.forEach((item, i) => checkShape(schema.items!, item, `${path}[${i}]`));
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const object = value as Record<string, unknown>;
  // A key set to undefined (possible from JavaScript callers, never from YAML) counts as absent.
  const keys = Object.keys(object).filter((key) => object[key] !== undefined);
  for (const key of schema.required ?? []) {
    if (object[key] === undefined) throw new IonsConfigError(`${path}.${key}`, 'required');
  }
  if (schema.minProperties !== undefined && keys.length < schema.minProperties) {
    throw new IonsConfigError(path, `needs at least ${schema.minProperties} entr${schema.minProperties === 1 ? 'y' : 'ies'}`);
  }
  if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) {
    throw new IonsConfigError(path, `holds ${keys.map((k) => `'${k}'`).join(', ')}; only ${schema.maxProperties} allowed`);
  }
  for (const key of keys) {
    const keyPath = `${path}.${key}`;
    if (schema.propertyNames) checkScalar(schema.propertyNames, key, keyPath);
    const propertySchema = schema.properties?.[key];
    if (propertySchema) {
      checkShape(propertySchema, object[key], keyPath);
    } else if (schema.additionalProperties === false) {
      const known = Object.keys(schema.properties ?? {}).join(', ');
      throw new IonsConfigError(keyPath, `unknown key (known keys: ${known})`);
    } else if (typeof schema.additionalProperties === 'object') {
      checkShape(schema.additionalProperties, object[key], keyPath);
    }
  }
}
