// The push fixture service as a git repository of its own in a temp dir, so revisions get commit
// names, and app code can change between pushes. Its node_modules links to the repository's.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import type { IonsConfig } from '../../runtime/config/ions-config.js';
import { push, type PushResult } from '../../runtime/push/push.js';
import type { CodeBucket } from './code-bucket.js';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '../..');

export const pushConfig = (): IonsConfig => ({
  app: 'push-fixture',
  groups: { primary: { topology: 'production' }, analytics: { topology: 'solo', queryGroup: true } },
  lambdas: { web: { fn: 'src/web.handler', integration: 'api-gateway', timeout: 10 } },
});

export interface ServiceRepo {
  dir: string;
  /** The dependency pack cache of this test's pushes (inside the temp dir, outside the git tree). */
  packCacheDir: string;
  /** Writes a file (relative to the service) without committing it. */
  write(file: string, text: string): Promise<void>;
  commit(message: string): Promise<string>;
  remove(): Promise<void>;
}

/** A git repository holding a copy of `from` (a directory of this repository; the push fixture by default). */
export async function serviceRepo(from = 'test/push/fixtures/service'): Promise<ServiceRepo> {
  const root = await mkdtemp(join(tmpdir(), 'ions-push-service-'));
  const dir = join(root, 'service');
  await cp(join(repo, from), dir, { recursive: true, filter: (source) => !source.includes('/.ions') });
  await symlink(join(repo, 'node_modules'), join(dir, 'node_modules'));
  await writeFile(join(dir, '.gitignore'), 'node_modules\n');
  const git = async (...args: string[]) =>
    (await run('git', ['-c', 'user.name=ions test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: dir })).stdout.trim();
  await git('init', '-q');
  const service: ServiceRepo = {
    dir,
    packCacheDir: join(root, 'packs'),
    write: (file, text) => writeFile(join(dir, file), text),
    async commit(message) {
      await git('add', '-A');
      await git('commit', '-q', '-m', message);
      return git('rev-parse', 'HEAD');
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
  await service.commit('revision A');
  return service;
}

/** Pushes the service as it is now into the code bucket (CodeDeploy as the calling test mocks it). */
export function pushService(service: ServiceRepo, bucket: CodeBucket, options: { bucketName?: string; application?: string; uname?: string } = {}): Promise<PushResult> {
  return push({
    serviceDir: service.dir,
    config: pushConfig(),
    bucket: options.bucketName ?? bucket.bucket,
    application: options.application ?? 'app',
    s3: bucket.s3,
    codeDeploy: new CodeDeployClient({}),
    packCacheDir: service.packCacheDir,
    ...(options.uname ? { uname: options.uname } : {}),
  });
}
