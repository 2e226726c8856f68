// Which role a node takes, in-process: a local node keeps plain connections (no lease), a deployed
// primary-group node writes under a lease carrying its URL and takes forwarded transactions, and a
// query-group node without a primary endpoint refuses to start, saying what is missing.
import fc from 'fast-check';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IonsConfig } from '../../runtime/config/ions-config.js';
import { remoteForwarder } from '../../runtime/db/follow/index.js';
import { memoryStorage } from '../../runtime/db/storage/index.js';
import { advertiseUrl } from '../../runtime/cli/advertise-url.js';
import { leaseOwner, ownerUrl, reachableUrl } from '../../runtime/node/lease-owner.js';
import { startNode } from '../../runtime/node/index.js';
import { buildRevision } from '../../runtime/revision/index.js';
import { invoke, invokeBody } from '../node/helpers.js';

const SECRET = 'roles-key';
const serviceDir = fileURLToPath(new URL('./fixtures/groups-service/', import.meta.url));
let root: string;

const config = (groups: IonsConfig['groups']): IonsConfig => ({ app: 'notes', groups, lambdas: { remember: { fn: 'src/notes.remember' } } });

async function revision(name: string, groups: IonsConfig['groups']): Promise<string> {
  const outDir = join(root, name);
  await buildRevision({ serviceDir, config: config(groups), outDir, name });
  return outDir;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ions-roles-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('lease owner names', () => {
  it('carry the URL they were made with, and none when made without', () => {
    fc.assert(
      fc.property(fc.webUrl({ validSchemes: ['http', 'https'] }), (url) => {
        expect(ownerUrl(leaseOwner(url))).toBe(url);
      }),
    );
    expect(ownerUrl(leaseOwner(undefined))).toBeUndefined();
    expect(leaseOwner('http://127.0.0.1:1')).not.toBe(leaseOwner('http://127.0.0.1:1'));
  });

  it('never carry the unspecified address a node listens on', () => {
    expect(reachableUrl('http://0.0.0.0:8182')).toBeUndefined();
    expect(reachableUrl('http://[::]:8182')).toBeUndefined();
    expect(reachableUrl('http://10.0.1.7:8182')).toBe('http://10.0.1.7:8182');
  });
});

describe('the role of a node', () => {
  it('is a plain connection without a lease on a local node', async () => {
    const storage = memoryStorage();
    const node = await startNode({ revisionDir: await revision('local-1', { primary: { topology: 'solo' } }), port: 0, secret: SECRET, storage, local: true });
    try {
      const answer = await invoke(node.url, 'lambda/remember', invokeBody({ text: 'dev' }), { secret: SECRET });
      expect([answer.status, answer.json()]).toEqual([200, { t: 2, seen: true, group: 'primary' }]);
      expect(await (await storage.open('notes')).getLease()).toBeUndefined();
    } finally {
      await node.close();
      await storage.close();
    }
  });

  it('holds the lease in its own name on a primary-group node, and takes forwarded transactions', async () => {
    const storage = memoryStorage();
    const node = await startNode({ revisionDir: await revision('primary-1', { primary: { topology: 'production' } }), port: 0, secret: SECRET, storage });
    try {
      const answer = await invoke(node.url, 'lambda/remember', invokeBody({ text: 'deployed' }), { secret: SECRET });
      expect([answer.status, answer.json()]).toEqual([200, { t: 2, seen: true, group: 'primary' }]);
      const lease = await (await storage.open('notes')).getLease();
      expect(ownerUrl(lease!.owner)).toBe(node.url);
      const forwarded = await remoteForwarder({ url: node.url, secret: SECRET })({ db: 'notes', txData: [{ ':note/text': 'forwarded' }] });
      expect(forwarded.t).toBe(3);
      await node.close();
      // Closing hands the lease back, so a standby need not wait for it to expire.
      expect((await (await storage.open('notes')).getLease())!.expiresAt).toBeLessThanOrEqual(Date.now());
    } finally {
      await node.close();
      await storage.close();
    }
  });

  it('refuses to start a query-group node with nowhere to forward transactions', async () => {
    const groups = { primary: { topology: 'production' as const }, reads: { topology: 'production' as const, queryGroup: true } };
    await expect(startNode({ revisionDir: await revision('query-1', groups), port: 0, secret: SECRET, group: 'reads' })).rejects.toThrow(
      'this node is in query group reads (ions.groups.reads.queryGroup) but has no primary endpoint to forward transactions to: set IONS_PRIMARY_ENDPOINT',
    );
  });
});

describe('the URL a deployed node advertises', () => {
  const interfaces = {
    lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
    ens5: [
      { address: 'fe80::1', family: 'IPv6', internal: false },
      { address: '10.0.1.7', family: 'IPv4', internal: false },
    ],
  } as unknown as Parameters<typeof advertiseUrl>[2];

  it('is its private address when it listens on every interface, else none (it advertises its own URL)', () => {
    expect(advertiseUrl('0.0.0.0', 8182, interfaces)).toBe('http://10.0.1.7:8182');
    expect(advertiseUrl('127.0.0.1', 8182, interfaces)).toBeUndefined();
    expect(advertiseUrl('0.0.0.0', 0, interfaces)).toBeUndefined();
    expect(advertiseUrl('0.0.0.0', 8182, { lo: interfaces!.lo })).toBeUndefined();
  });
});
