// Puts into the code bucket only the chunks it does not hold yet. Chunk keys are content hashes, so a
// chunk already there is byte for byte the one we would upload.
import { HeadBucketCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Chunk } from './build-chunks.js';
import { chunkKey } from './push-manifest.js';

export interface UploadReport {
  uploaded: { chunks: number; bytes: number; dependencyBytes: number; runtimeBytes: number };
  skipped: { chunks: number; bytes: number };
}

const PARALLEL = 8;

export async function assertBucket(s3: S3Client, bucket: string): Promise<void> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404) throw new Error(`code bucket ${bucket} does not exist (is the stack deployed, and is this the right region?)`, { cause: error });
    if (status === 403) throw new Error(`no access to code bucket ${bucket}: check your AWS credentials`, { cause: error });
    throw new Error(`cannot reach code bucket ${bucket}: ${(error as Error).message}`, { cause: error });
  }
}

export async function uploadNovelty(
  s3: S3Client,
  bucket: string,
  chunks: Iterable<Chunk>,
  onChunk: (chunk: Chunk, uploaded: boolean) => void = () => {},
): Promise<UploadReport> {
  const report: UploadReport = { uploaded: { chunks: 0, bytes: 0, dependencyBytes: 0, runtimeBytes: 0 }, skipped: { chunks: 0, bytes: 0 } };
  const queue = [...chunks];
  const worker = async (): Promise<void> => {
    for (let chunk = queue.shift(); chunk; chunk = queue.shift()) {
      const key = chunkKey(chunk.sha256);
      if (await exists(s3, bucket, key)) {
        report.skipped.chunks++;
        report.skipped.bytes += chunk.bytes.length;
        onChunk(chunk, false);
        continue;
      }
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: chunk.bytes, ContentType: 'application/octet-stream' })).catch((error: unknown) => {
        throw new Error(`uploading ${chunk!.label} to s3://${bucket}/${key} failed: ${(error as Error).message}`, { cause: error });
      });
      report.uploaded.chunks++;
      report.uploaded.bytes += chunk.bytes.length;
      if (chunk.kind === 'dependency') report.uploaded.dependencyBytes += chunk.bytes.length;
      if (chunk.kind === 'runtime') report.uploaded.runtimeBytes += chunk.bytes.length;
      onChunk(chunk, true);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return report;
}

async function exists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
    throw new Error(`checking s3://${bucket}/${key} failed: ${(error as Error).message}`, { cause: error });
  }
}
