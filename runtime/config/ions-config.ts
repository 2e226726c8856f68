// The `ions` block of serverless.yml, as the plugin validates it and as a node receives it inside an
// app revision. One shape for both sides so that what the plugin accepts is exactly what a node runs.
//
// A function reference uses Serverless' own handler syntax: a module path relative to the service
// directory, without extension, then a dot and the export name: `src/web.handler`, `src/fns.signup`.
// The same string names an allow-listed function inside queries and transactions.

export type FunctionRef = string;

export type Topology = 'solo' | 'production';

export interface ComputeGroupConfig {
  topology: Topology;
  /** EC2 instance type of the nodes. */
  instanceType?: string;
  minSize?: number;
  maxSize?: number;
  /** A query group follows the primary's log and forwards transactions to it. */
  queryGroup?: boolean;
  /** Existing private subnets; when absent the stack creates a VPC. */
  subnetIds?: string[];
  vpcId?: string;
  /** Revisions a node keeps on disk besides the one it serves, for rollbacks without a download (default 2). */
  keepRevisions?: number;
}

export interface LambdaIonConfig {
  fn: FunctionRef;
  description?: string;
  /** Seconds. */
  timeout?: number;
  /** Reserved concurrency of the proxy Lambda. Also the node's in-flight limit for this ion. */
  concurrency?: number;
  memorySize?: number;
  /** Compute group the proxy forwards to; defaults to the first primary group. */
  group?: string;
  /** `api-gateway`: the ion is a web ion (ionized handler) answering HTTP events. */
  integration?: 'api-gateway';
  /** Serverless event definitions, exactly as under `functions.<name>.events`. */
  events?: Array<Record<string, unknown>>;
  /**
   * A Lambda function URL on the proxy: an HTTPS endpoint without API Gateway (payload format 2.0).
   * `true` or `{}` is public (AuthType NONE, as in Serverless); `{ authorizer: 'aws_iam' }` takes
   * SigV4-signed requests only.
   */
  url?: true | { authorizer?: 'none' | 'aws_iam' };
  /** Answer as a Lambda response stream, through the function URL and REST `http` events (needs one of them). */
  streaming?: boolean;
}

export interface HttpDirectConfig {
  handler: FunctionRef;
  group?: string;
  /** Requests allowed to wait for a free slot before the node answers with the throttle status. */
  pendingOps?: number;
  /** Requests handled at once. */
  processingConcurrency?: number;
  throttleStatus?: number;
  throttleMessage?: string;
}

export type StorageConfig =
  | { type: 'memory' }
  | { type: 'file'; dir?: string }
  | { type: 'postgres'; urlParameter?: string }
  | { type: 'dynamodb' };

export interface IonsConfig {
  app: string;
  groups?: Record<string, ComputeGroupConfig>;
  /** Functions that queries and transactions may call by name. */
  allow?: FunctionRef[];
  lambdas?: Record<string, LambdaIonConfig>;
  httpDirect?: HttpDirectConfig;
  environment?: Record<string, string>;
  /** SSM path whose parameters `getParams()` reads, e.g. `/event-signup/prod/`. */
  parametersPath?: string;
  storage?: StorageConfig;
}

/** Datomic's defaults for the node's admission control. */
export const DEFAULT_HTTP_DIRECT_CONCURRENCY = 16;
export const DEFAULT_HTTP_DIRECT_PENDING = 100;
export const DEFAULT_LAMBDA_CONCURRENCY = 20;
export const DEFAULT_NODE_PORT = 8182;
