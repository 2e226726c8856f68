// The S3 stand-in behaves as S3 does where the suites depend on it (test/support/s3rver-read-after-write.ts).
import { createRequire } from 'node:module';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';

interface Store {
  putObject(object: { bucket: string; key: string; content: Buffer; metadata: Record<string, string> }): Promise<{ size: number }>;
  getResourcePath(bucket: string, key: string, kind: 'object'): string;
}
const FilesystemStore = createRequire(import.meta.url)('s3rver/lib/stores/filesystem.js') as new (directory: string) => Store;

it("answers a PUT only once the object's bytes are in its file, so that a GET right after reads them all", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ions-s3rver-store-'));
  try {
    const store = new FilesystemStore(dir);
    // Large enough that a write still under way when the PUT answers is seen.
    const content = Buffer.alloc(128 * 1024 * 1024, 7);
    const { size } = await store.putObject({ bucket: 'code', key: 'big', content, metadata: { 'content-type': 'application/octet-stream' } });
    expect(size).toBe(content.length);
    expect((await stat(store.getResourcePath('code', 'big', 'object'))).size).toBe(content.length);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
