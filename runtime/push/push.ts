// `serverless ions push`: name the revision, build it into chunks, upload what the bucket lacks, store
// the manifest and the CodeDeploy bundle, and register the bundle as a CodeDeploy application revision.
import { RegisterApplicationRevisionCommand, type CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { IonsConfig } from '../config/ions-config.js';
import { buildChunks } from './build-chunks.js';
import { codeDeployBundle } from './codedeploy-bundle.js';
import { bundleKey, manifestKey, type PushManifest } from './push-manifest.js';
import { type RevisionName, revisionName } from './revision-name.js';
import { assertBucket, uploadNovelty, type UploadReport } from './upload-novelty.js';

export interface PushOptions {
  serviceDir: string;
  config: IonsConfig;
  /** Given: an `unreproducible-<uname>` revision, even from a dirty tree. */
  uname?: string;
  /** The revision's name, when the caller has read it already (revisionName); else it is read here. */
  name?: RevisionName;
  bucket: string;
  /** The CodeDeploy application of the stack. */
  application: string;
  s3: S3Client;
  codeDeploy: CodeDeployClient;
  progress?: (message: string) => void;
  /** Where packs of installed packages are kept between pushes (build-chunks.ts has the default). */
  packCacheDir?: string;
}

export interface PushResult {
  revision: string;
  manifest: PushManifest;
  upload: UploadReport;
  /** Where CodeDeploy finds the bundle. */
  bundle: { bucket: string; key: string; eTag?: string };
  /** Compute groups of the config: where the revision can be deployed. */
  groups: string[];
}

export async function push(options: PushOptions): Promise<PushResult> {
  const { serviceDir, config, bucket, s3, codeDeploy } = options;
  const progress = options.progress ?? (() => {});
  const { name: revision, commit } = options.name ?? (await revisionName(serviceDir, options.uname));
  await assertBucket(s3, bucket);
  progress(`Building revision ${revision}`);
  const { manifest, chunks } = await buildChunks({
    serviceDir,
    config,
    revision,
    ...(commit ? { commit } : {}),
    ...(options.packCacheDir ? { packCacheDir: options.packCacheDir } : {}),
  });
  let done = 0;
  const upload = await uploadNovelty(s3, bucket, chunks.values(), () => progress(`Uploading chunks (${++done}/${chunks.size})`));
  progress('Registering the revision with CodeDeploy');
  const manifestPath = manifestKey(config.app, revision);
  await putObject(s3, bucket, manifestPath, JSON.stringify(manifest, null, 2) + '\n', 'application/json');
  const key = bundleKey(config.app, revision);
  const runtime = { sha256: manifest.runtime.sha256, version: manifest.runtimeVersion };
  const put = await putObject(s3, bucket, key, codeDeployBundle({ bucket, app: config.app, revision, manifestKey: manifestPath, runtime }), 'application/zip');
  const bundle = { bucket, key, ...(put.ETag ? { eTag: put.ETag } : {}) };
  await codeDeploy
    .send(
      new RegisterApplicationRevisionCommand({
        applicationName: options.application,
        description: `ions ${config.app} ${revision}`,
        revision: { revisionType: 'S3', s3Location: { ...bundle, bundleType: 'zip' } },
      }),
    )
    .catch((error: unknown) => {
      throw new Error(`registering revision ${revision} with CodeDeploy application ${options.application} failed: ${(error as Error).message}`, {
        cause: error,
      });
    });
  return { revision, manifest, upload, bundle, groups: Object.keys(config.groups ?? {}) };
}

async function putObject(s3: S3Client, bucket: string, key: string, body: string | Buffer, contentType: string) {
  return s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType })).catch((error: unknown) => {
    throw new Error(`writing s3://${bucket}/${key} failed: ${(error as Error).message}`, { cause: error });
  });
}

/** What the CLI prints after a push. */
export function pushSummary(result: PushResult, deployCommand: (group: string) => string): string {
  const { uploaded, skipped } = result.upload;
  const lines = [
    `Revision ${result.revision} (${result.manifest.files.length} app files, ${result.manifest.packages.length} dependency packages)`,
    `Uploaded ${uploaded.chunks} chunk(s), ${uploaded.bytes} bytes (${uploaded.dependencyBytes} of dependencies, ${uploaded.runtimeBytes} of the node runtime); skipped ${skipped.chunks} already stored, ${skipped.bytes} bytes`,
    `Groups: ${result.groups.join(', ') || '(none in ions.groups)'}`,
    ...result.groups.map((group) => `Deploy: ${deployCommand(group)}`),
  ];
  return lines.join('\n');
}
