// The parts of the Serverless Framework's plugin API this plugin uses, all documented for plugin
// authors (constructor arguments, configSchemaHandler, service, classes.Error, the logging utils),
// so that serverless v3, osls and v4 all run it.
import type { JsonSchema } from '../runtime/config/schema.js';

export interface ServerlessService {
  service: string;
  provider: {
    stage?: string;
    region?: string;
    /** Named AWS profile from serverless.yml; `--aws-profile` overrides it. */
    profile?: string;
    compiledCloudFormationTemplate: {
      Resources: Record<string, unknown>;
      Outputs?: Record<string, unknown>;
      Parameters?: Record<string, unknown>;
    };
  };
  functions: Record<string, unknown>;
  initialServerlessConfig?: Record<string, unknown>;
}

export interface Serverless {
  serviceDir: string;
  configurationInput?: Record<string, unknown>;
  service: ServerlessService;
  configSchemaHandler: { defineTopLevelProperty(name: string, schema: JsonSchema): void };
  classes: { Error: new (message: string) => Error };
  getProvider(name: 'aws'): AwsProvider;
}

/** The framework's AWS provider: requests go out with the user's credentials, profile and region. */
export interface AwsProvider {
  /** SDK v2 requests: serverless v3 and v4. osls 4 keeps the name but throws. */
  request(service: string, method: string, params: Record<string, unknown>): Promise<unknown>;
  /** osls 4: the config of SDK v3 clients (credentials, profile, region, proxy, retries) in place of request(). */
  getAwsSdkV3Config?(): Promise<Record<string, unknown>>;
  /**
   * serverless v3: the credentials its own SDK v2 requests use, resolved the framework's way (profiles,
   * `AWS_*` and stage-specific `AWS_<STAGE>_*` variables, `--aws-profile`); none when it found none.
   */
  getCredentials?(): { credentials?: SdkV2Credentials };
  getRegion(): string;
  naming: AwsNaming;
}

/** An SDK v2 credentials object: loaded (or refreshed) by getPromise, then read from its fields. */
export interface SdkV2Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** When temporary credentials expire (null for keys that do not). */
  expireTime?: Date | null;
  getPromise?(): Promise<void>;
}

/** The framework's names of what it compiles (serverless v3, osls and v4 alike). */
export interface AwsNaming {
  getStackName(): string;
  getNormalizedFunctionName(functionKey: string): string;
  getLambdaLogicalId(functionKey: string): string;
  getLambdaFunctionUrlLogicalId(functionKey: string): string;
}

export interface ServerlessOptions {
  stage?: string;
  region?: string;
  function?: string;
  path?: string;
  data?: string;
  [option: string]: unknown;
}

type LogFunction = (...message: string[]) => void;

export interface Log extends LogFunction {
  error: LogFunction;
  warning: LogFunction;
  notice: LogFunction & { success: LogFunction };
  info: LogFunction;
  verbose: LogFunction;
  debug: LogFunction;
}

export interface Progress {
  get(name: string): ProgressItem;
  create(options: { message: string; name?: string }): ProgressItem;
}

export interface ProgressItem {
  update(message: string): void;
  remove(): void;
}

export interface PluginUtils {
  log: Log;
  progress: Progress;
  writeText: (...text: string[]) => void;
}

export interface CommandOption {
  usage: string;
  shortcut?: string;
  required?: boolean;
  type: 'string' | 'boolean' | 'multiple';
}

export interface CommandDefinition {
  usage: string;
  type?: 'container' | 'entrypoint';
  lifecycleEvents?: string[];
  options?: Record<string, CommandOption>;
  commands?: Record<string, CommandDefinition>;
}
