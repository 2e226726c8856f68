// `serverless ions deploy`: check that the revision was pushed and that the group can take it, start a
// CodeDeploy deployment (the group's own config: one node at a time, behind its load balancer), bring
// the group's proxy Lambdas in line with the revision's config, and return without waiting.
import { CreateDeploymentCommand, ListDeploymentGroupsCommand, type CodeDeployClient } from '@aws-sdk/client-codedeploy';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { IonsConfig } from '../config/ions-config.js';
import { MANIFEST_FILE, type RevisionManifest } from '../revision/manifest.js';
import { bundleKey, chunkKey, manifestKey, parsePushManifest, type PushManifest } from '../push/push-manifest.js';
import { UNREPRODUCIBLE_PREFIX } from '../push/revision-name.js';
import { proxySettings, reconcileProxy, type ProxyUpdate } from './proxy-settings.js';

export interface DeployOptions {
  app: string;
  group: string;
  /** A commit SHA (`--rev`), or the name given to an unreproducible push (`--uname`). */
  rev?: string;
  uname?: string;
  bucket: string;
  application: string;
  codeDeploy: CodeDeployClient;
  lambda: LambdaClient;
  s3: S3Client;
  functionName(group: string, lambda: string): string;
}

export interface DeployResult {
  revision: string;
  group: string;
  deploymentId: string;
  lambdas: ProxyUpdate[];
}

export class DeployInputError extends Error {}

export async function deploy(options: DeployOptions): Promise<DeployResult> {
  const { app, group, bucket, codeDeploy, s3 } = options;
  if ((options.rev === undefined) === (options.uname === undefined)) throw new DeployInputError('ions deploy needs exactly one of --rev SHA or --uname NAME');
  const revision = options.rev ?? UNREPRODUCIBLE_PREFIX + options.uname;
  const manifest = await pushedManifest(s3, bucket, app, revision);
  const config = await revisionConfig(s3, bucket, manifest);
  const deploymentGroups = await listDeploymentGroups(codeDeploy, options.application);
  const valid = Object.keys(config.groups ?? {}).filter((name) => deploymentGroups.includes(name));
  if (!valid.includes(group)) {
    throw new DeployInputError(
      `group ${group} does not run ${app} revision ${revision}: valid groups are ${valid.join(', ') || '(none: deploy the stack first)'}`,
    );
  }
  const created = await codeDeploy
    .send(
      new CreateDeploymentCommand({
        applicationName: options.application,
        deploymentGroupName: group,
        description: `ions ${app} ${revision} to ${group}`,
        revision: { revisionType: 'S3', s3Location: { bucket, key: bundleKey(app, revision), bundleType: 'zip' } },
        deploymentConfigName: 'CodeDeployDefault.OneAtATime',
        autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST'] },
        fileExistsBehavior: 'OVERWRITE',
      }),
    )
    .catch((error: unknown) => {
      throw new Error(`starting the CodeDeploy deployment of ${revision} to ${group} failed: ${(error as Error).message}`, { cause: error });
    });
  if (!created.deploymentId) throw new Error(`CodeDeploy started no deployment of ${revision} to ${group} (no deployment id)`);
  const lambdas: ProxyUpdate[] = [];
  for (const wanted of proxySettings(config, group, options.functionName)) lambdas.push(await reconcileProxy(options.lambda, wanted));
  return { revision, group, deploymentId: created.deploymentId, lambdas };
}

async function pushedManifest(s3: S3Client, bucket: string, app: string, revision: string): Promise<PushManifest> {
  const key = manifestKey(app, revision);
  const text = await getText(s3, bucket, key, (status) =>
    status === 404 ? new DeployInputError(`revision ${revision} of ${app} was never pushed (no s3://${bucket}/${key}); run serverless ions push first`) : undefined,
  );
  return parsePushManifest(text, `s3://${bucket}/${key}`);
}

async function revisionConfig(s3: S3Client, bucket: string, manifest: PushManifest): Promise<IonsConfig> {
  const file = manifest.files.find((f) => f.path === MANIFEST_FILE);
  if (!file) throw new Error(`revision ${manifest.revision} has no ${MANIFEST_FILE} among its files`);
  const built = JSON.parse(await getText(s3, bucket, chunkKey(file.sha256), () => undefined)) as RevisionManifest;
  return built.config;
}

async function listDeploymentGroups(codeDeploy: CodeDeployClient, application: string): Promise<string[]> {
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await codeDeploy.send(new ListDeploymentGroupsCommand({ applicationName: application, nextToken })).catch((error: unknown) => {
      throw new Error(`cannot list the deployment groups of CodeDeploy application ${application}: ${(error as Error).message}`, { cause: error });
    });
    names.push(...(page.deploymentGroups ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return names;
}

async function getText(s3: S3Client, bucket: string, key: string, explain: (status: number | undefined) => Error | undefined): Promise<string> {
  try {
    const answer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await answer.Body!.transformToString();
  } catch (error) {
    if ((error as Error).name === 'NoSuchBucket') throw new DeployInputError(`code bucket ${bucket} does not exist (is the stack deployed, and is this the right region?)`);
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    throw explain(status) ?? new Error(`cannot read s3://${bucket}/${key}: ${(error as Error).message}`, { cause: error });
  }
}
