// `serverless ions push | deploy | status`: the Ions cycle from the service directory. The work is in
// runtime/push and runtime/deploy; this wires it to the stack (its outputs name the code bucket and the
// CodeDeploy application), the model (function names), and the framework's log and progress.
import type { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import { UserInputError } from './invoke.js';
import type { IonsModel } from './model.js';
import { proxyFunctionName } from './names.js';
import type { PluginUtils, Serverless, ServerlessOptions } from './serverless-api.js';
import { ionsStackOutputs } from './stack-outputs.js';

export interface AwsClients {
  s3: S3Client;
  codeDeploy: CodeDeployClient;
  lambda: LambdaClient;
}

export interface CycleContext {
  serverless: Serverless;
  options: ServerlessOptions;
  utils: PluginUtils;
  model: IonsModel;
  /** Defaults to SDK clients in the provider's region. */
  clients?: AwsClients;
}

/** The profile Serverless itself would use: `--aws-profile`, else `provider.profile`, else the SDK's default chain. */
export function awsClientConfig(serverless: Serverless, options: ServerlessOptions): { region: string; profile?: string } {
  const region = serverless.getProvider('aws').getRegion();
  const flag = options['aws-profile'];
  const profile = typeof flag === 'string' && flag !== '' ? flag : serverless.service.provider.profile;
  return profile === undefined ? { region } : { region, profile };
}

/**
 * SDK v3 client config with the credentials serverless v3 resolved for its own requests, so that the
 * commands sign as `serverless deploy` would (stage-specific variables included); the SDK's own chain
 * with the profile Serverless would use when it found none.
 */
export function serverlessV3ClientConfig(serverless: Serverless, options: ServerlessOptions): Record<string, unknown> {
  const config = awsClientConfig(serverless, options);
  const resolved = serverless.getProvider('aws').getCredentials?.().credentials;
  if (resolved === undefined) return config;
  const credentials = async () => {
    await resolved.getPromise?.();
    // With an expiration the SDK asks again before temporary credentials (a role, MFA) run out.
    return {
      accessKeyId: resolved.accessKeyId,
      secretAccessKey: resolved.secretAccessKey,
      ...(resolved.sessionToken ? { sessionToken: resolved.sessionToken } : {}),
      ...(resolved.expireTime ? { expiration: resolved.expireTime } : {}),
    };
  };
  return { region: config.region, credentials };
}

async function defaultClients(serverless: Serverless, options: ServerlessOptions): Promise<AwsClients> {
  // osls 4 builds SDK v3 client config itself (its credential chain, proxy and retries); serverless v3 does not.
  const provider = serverless.getProvider('aws');
  const config = provider.getAwsSdkV3Config ? await provider.getAwsSdkV3Config() : serverlessV3ClientConfig(serverless, options);
  const [{ S3Client }, { CodeDeployClient }, { LambdaClient }] = await Promise.all([
    import('@aws-sdk/client-s3'),
    import('@aws-sdk/client-codedeploy'),
    import('@aws-sdk/client-lambda'),
  ]);
  return { s3: new S3Client(config), codeDeploy: new CodeDeployClient(config), lambda: new LambdaClient(config) };
}

const stringOption = (options: ServerlessOptions, name: string): string | undefined => {
  const value = options[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !value) throw new UserInputError(`--${name} needs a value`);
  return value;
};

export async function pushCommand({ serverless, options, utils, model, clients }: CycleContext): Promise<void> {
  const { push, pushSummary } = await import('../runtime/push/push.js');
  const { UnreproducibleError, revisionName } = await import('../runtime/push/revision-name.js');
  const uname = stringOption(options, 'uname');
  // The tree is read before any AWS call: a dirty one is the user's to fix, with or without credentials.
  const name = await revisionName(serverless.serviceDir, uname).catch((error: unknown) => {
    throw error instanceof UnreproducibleError ? new UserInputError(error.message) : error;
  });
  const stack = await ionsStackOutputs(serverless);
  const aws = clients ?? (await defaultClients(serverless, options));
  const progress = utils.progress.create({ message: 'Pushing the ions revision' });
  try {
    const result = await push({
      serviceDir: serverless.serviceDir,
      config: model.config,
      name,
      bucket: stack.codeBucket,
      application: stack.application,
      ...aws,
      progress: (message) => progress.update(message),
    });
    const flag = uname ? `--uname ${uname}` : `--rev ${result.revision}`;
    utils.writeText(pushSummary(result, (group) => `serverless ions deploy --stage ${model.stage} --group ${group} ${flag}`));
  } finally {
    progress.remove();
  }
}

export async function deployCommand({ serverless, options, utils, model, clients }: CycleContext): Promise<void> {
  const { deploy, DeployInputError } = await import('../runtime/deploy/deploy.js');
  const group = stringOption(options, 'group');
  if (!group) throw new UserInputError(`ions deploy needs --group (one of ${model.groups.map((g) => g.name).join(', ')})`);
  const rev = stringOption(options, 'rev');
  const uname = stringOption(options, 'uname');
  // Usage mistakes are answered before any AWS call: without credentials they would hide behind a stack error.
  if ((rev === undefined) === (uname === undefined)) throw new UserInputError('ions deploy needs exactly one of --rev SHA or --uname NAME');
  const stack = await ionsStackOutputs(serverless);
  const aws = clients ?? (await defaultClients(serverless, options));
  const progress = utils.progress.create({ message: `Starting the deployment to ${group}` });
  try {
    const result = await deploy({
      app: model.config.app,
      group,
      ...(rev ? { rev } : {}),
      ...(uname ? { uname } : {}),
      bucket: stack.codeBucket,
      application: stack.application,
      ...aws,
      functionName: (g, lambda) => proxyFunctionName(model.service, model.stage, g, lambda),
    }).catch((error: unknown) => {
      throw error instanceof DeployInputError ? new UserInputError(error.message) : error;
    });
    const updated = result.lambdas.filter((l) => l.changed.length > 0);
    utils.writeText(
      [
        `Deploying ${result.revision} to ${group}: CodeDeploy deployment ${result.deploymentId}, one node at a time`,
        `Proxy Lambdas: ${updated.length === 0 ? 'unchanged' : updated.map((l) => `${l.functionName} (${l.changed.join(', ')})`).join('; ')}`,
        `Status: serverless ions status --stage ${model.stage} --group ${group}`,
      ].join('\n'),
    );
  } finally {
    progress.remove();
  }
}

export async function statusCommand({ serverless, options, utils, model, clients }: CycleContext): Promise<void> {
  const { groupStatus, statusReport } = await import('../runtime/deploy/status.js');
  const only = stringOption(options, 'group');
  const groups = model.groups.filter((group) => only === undefined || group.name === only);
  if (groups.length === 0) throw new UserInputError(`no group ${only}: groups are ${model.groups.map((g) => g.name).join(', ')}`);
  const stack = await ionsStackOutputs(serverless);
  const aws = clients ?? (await defaultClients(serverless, options));
  const failed: string[] = [];
  for (const group of groups) {
    const status = await groupStatus({
      application: stack.application,
      group: group.name,
      codeDeploy: aws.codeDeploy,
      lambda: aws.lambda,
      functionNames: model.proxies.filter((proxy) => proxy.group.name === group.name).map((proxy) => proxy.functionName),
    });
    utils.writeText(statusReport(status));
    if (status.failed) failed.push(`${group.name} (deployment ${status.deploymentId} ${status.status})`);
  }
  // A failed deployment is a failed command: scripts and CI stop on it.
  if (failed.length > 0) throw new UserInputError(`ions deployment failed: ${failed.join(', ')}`);
}
