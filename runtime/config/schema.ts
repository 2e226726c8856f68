// JSON Schema of the `ions` block. The plugin registers it with Serverless as a top-level property,
// and `checkShape` interprets the same object, so the structural rules live in exactly one place.
// Only the keywords `checkShape` understands appear here (type, properties, required,
// additionalProperties, propertyNames, enum, minimum, maximum, minLength, maxLength, pattern, items,
// minItems, minProperties, maxProperties, anyOf); a `description` on a string with a `pattern`, or on
// an `anyOf`, is the phrase an error uses to say what the value should look like.
import { ALL_EVENT_TYPES } from './event-kinds.js';

export interface JsonSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  enum?: readonly (string | number | boolean)[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  items?: JsonSchema;
  minItems?: number;
  minProperties?: number;
  maxProperties?: number;
  /** Alternatives of different types, e.g. `true` or an object. */
  anyOf?: JsonSchema[];
}

/** Module path relative to the service directory, a dot, an export name: `src/web.handler`. */
const functionRef: JsonSchema = {
  type: 'string',
  pattern: '^[A-Za-z0-9_@][A-Za-z0-9_@./-]*\\.[A-Za-z_$][A-Za-z0-9_$]*$',
  description: 'a function reference like src/web.handler (module path, a dot, an export name)',
};

// Group names end up inside generated function names between hyphens, so they hold no hyphen:
// that keeps `<group>-<name>` unambiguous.
export const GROUP_NAME_PATTERN = '^[a-z][a-z0-9]{0,15}$';
export const LAMBDA_NAME_PATTERN = '^[A-Za-z][A-Za-z0-9_-]{0,63}$';

const group: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['topology'],
  properties: {
    topology: { type: 'string', enum: ['solo', 'production'] },
    instanceType: {
      type: 'string',
      pattern: '^[a-z][a-z0-9-]*[0-9][a-z0-9-]*\\.[a-z0-9]+$',
      description: 'an EC2 instance type like t3.small or c7g.large',
    },
    minSize: { type: 'integer', minimum: 1, maximum: 100 },
    maxSize: { type: 'integer', minimum: 1, maximum: 100 },
    queryGroup: { type: 'boolean' },
    subnetIds: {
      type: 'array',
      minItems: 1,
      items: { type: 'string', pattern: '^subnet-[0-9a-f]{8,17}$', description: 'a subnet id like subnet-0123abcd' },
    },
    vpcId: { type: 'string', pattern: '^vpc-[0-9a-f]{8,17}$', description: 'a VPC id like vpc-0123abcd' },
    keepRevisions: { type: 'integer', minimum: 0, maximum: 100 },
  },
};

const lambda: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['fn'],
  properties: {
    fn: functionRef,
    description: { type: 'string', maxLength: 256 },
    timeout: { type: 'integer', minimum: 1, maximum: 900 },
    concurrency: { type: 'integer', minimum: 1, maximum: 10000 },
    memorySize: { type: 'integer', minimum: 128, maximum: 10240 },
    group: { type: 'string' },
    integration: { type: 'string', enum: ['api-gateway'] },
    events: {
      type: 'array',
      items: {
        type: 'object',
        minProperties: 1,
        maxProperties: 1,
        propertyNames: { type: 'string', enum: ALL_EVENT_TYPES },
      },
    },
    url: {
      description: 'true, or an object like { authorizer: aws_iam }',
      anyOf: [
        { type: 'boolean', enum: [true] },
        {
          type: 'object',
          additionalProperties: false,
          properties: { authorizer: { type: 'string', enum: ['none', 'aws_iam'] } },
        },
      ],
    },
    streaming: { type: 'boolean' },
  },
};

const httpDirect: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['handler'],
  properties: {
    handler: functionRef,
    group: { type: 'string' },
    pendingOps: { type: 'integer', minimum: 0, maximum: 100000 },
    processingConcurrency: { type: 'integer', minimum: 1, maximum: 10000 },
    throttleStatus: { type: 'integer', minimum: 400, maximum: 599 },
    throttleMessage: { type: 'string', maxLength: 1024 },
  },
};

const storage: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type'],
  properties: {
    type: { type: 'string', enum: ['memory', 'file', 'postgres', 'dynamodb'] },
    dir: { type: 'string', minLength: 1 },
    urlParameter: {
      type: 'string',
      pattern: '^/[A-Za-z0-9_.\\-/]+$',
      description: 'an SSM parameter name starting with /',
    },
  },
};

export const ionsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['app'],
  properties: {
    app: {
      type: 'string',
      pattern: '^[a-z][a-z0-9-]{0,39}$',
      description: 'lower-case letters, digits and hyphens, starting with a letter, at most 40 characters',
    },
    groups: {
      type: 'object',
      minProperties: 1,
      propertyNames: {
        type: 'string',
        pattern: GROUP_NAME_PATTERN,
        description: 'a group name of lower-case letters and digits, starting with a letter, at most 16 characters',
      },
      additionalProperties: group,
    },
    allow: { type: 'array', items: functionRef },
    lambdas: {
      type: 'object',
      propertyNames: {
        type: 'string',
        pattern: LAMBDA_NAME_PATTERN,
        description: 'a lambda name of letters, digits, - and _, starting with a letter, at most 64 characters',
      },
      additionalProperties: lambda,
    },
    httpDirect,
    environment: {
      type: 'object',
      propertyNames: {
        type: 'string',
        pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
        description: 'an environment variable name (letters, digits, _)',
      },
      additionalProperties: { type: 'string' },
    },
    parametersPath: {
      type: 'string',
      pattern: '^/([A-Za-z0-9_.-]+/)*$',
      description: 'an SSM path that starts and ends with /, like /my-app/prod/',
    },
    storage,
  },
};
