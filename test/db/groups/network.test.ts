// A query node forwarding transactions to a primary node over the signed protocol, on loopback.
import { afterEach, describe, expect, it } from 'vitest';
import { kw } from '../../../runtime/db/edn-names.js';
import { follow, ForwardError, localForwarder, remoteForwarder } from '../../../runtime/db/follow/index.js';
import { startPrimary } from '../../../runtime/db/lease/index.js';
import { memoryStorage } from '../../../runtime/db/storage/index.js';
import { startNode } from '../../../runtime/node/index.js';
import { crashSchema, crashTx } from '../storage/crash-data.js';

const SECRET = 'groups-network-test-secret';
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function primaryNode(options: { owner?: string } = {}) {
  const storage = memoryStorage();
  const primary = await startPrimary({ storage, db: 'app', leaseMs: 5_000, ...options });
  cleanup.push(() => primary.close());
  const node = await startNode({ port: 0, secret: SECRET, storage, transact: localForwarder(primary.connection) });
  cleanup.push(() => node.close());
  return { storage, primary, node };
}

describe('forwarding transactions over the signed protocol', () => {
  it('lets a query node transact through the primary node and read its own writes', async () => {
    const { storage, primary, node } = await primaryNode();
    await primary.whenPrimary(2_000);
    const follower = await follow({ storage, db: 'app', pollMs: 60_000, forward: remoteForwarder({ url: node.url, secret: SECRET }) });
    cleanup.push(() => follower.close());
    await follower.transact(crashSchema);
    expect(follower.db().attribute(kw(':crash/n'))?.unique).toBeDefined();
    const report = await follower.transact([{ ':db/id': 'seven', ':crash/n': 7, ':crash/check': -7 }]);
    expect(report.dbAfter.entity(report.tempids.seven!)?.get(':crash/check')).toBe(-7);
    expect(follower.db().entity([kw(':crash/n'), 7])?.get(':crash/check')).toBe(-7);
    expect(primary.connection.db().basisT).toBe(follower.db().basisT);
  });

  it('keeps the reason of a rejected transaction and does not call it retryable', async () => {
    const { node, primary } = await primaryNode();
    await primary.whenPrimary(2_000);
    const forward = remoteForwarder({ url: node.url, secret: SECRET });
    const rejected = forward({ db: 'app', txData: crashTx(1) });
    await expect(rejected).rejects.toBeInstanceOf(ForwardError);
    await expect(rejected).rejects.toMatchObject({ kind: 'rejected', retryable: false, message: expect.stringMatching(/^transaction of app forwarded to http:\/\/127\.0\.0\.1:\d+: .*:crash\/n/) });
  });

  it('says a standby primary refused and that retrying elsewhere is safe', async () => {
    const storage = memoryStorage();
    await (await storage.open('app')).casLease(undefined, { owner: 'the-real-primary', epoch: 1, expiresAt: Date.now() + 60_000 });
    const standby = await startPrimary({ storage, db: 'app', owner: 'standby', leaseMs: 5_000 });
    cleanup.push(() => standby.close());
    const node = await startNode({ port: 0, secret: SECRET, storage, transact: localForwarder(standby.connection) });
    cleanup.push(() => node.close());
    const refused = remoteForwarder({ url: node.url, secret: SECRET })({ db: 'app', txData: crashSchema });
    await expect(refused).rejects.toMatchObject({ kind: 'not-primary', retryable: true, message: expect.stringMatching(/the-real-primary holds the lease/) });
  });

  it('refuses unsigned requests and nodes that take no transactions', async () => {
    const { node } = await primaryNode();
    const wrongKey = remoteForwarder({ url: node.url, secret: 'not-the-secret' })({ db: 'app', txData: crashSchema });
    await expect(wrongKey).rejects.toMatchObject({ kind: 'refused', retryable: false, message: expect.stringMatching(/refused with 401/) });
    const queryNode = await startNode({ port: 0, secret: SECRET });
    cleanup.push(() => queryNode.close());
    const nowhere = remoteForwarder({ url: queryNode.url, secret: SECRET })({ db: 'app', txData: crashSchema });
    await expect(nowhere).rejects.toThrow(/refused with 403: this node takes no transactions: send them to the primary group/);
    const response = await fetch(`${node.url}/_ions/db/transact`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(401);
  });

  it('tells an unreachable primary, where nothing was sent, from a lost answer', async () => {
    const { node } = await primaryNode();
    const url = node.url;
    await node.close();
    const unreachable = remoteForwarder({ url: () => url, secret: SECRET })({ db: 'app', txData: crashSchema });
    await expect(unreachable).rejects.toMatchObject({ kind: 'unreachable', retryable: true, message: expect.stringMatching(/connection refused; nothing was sent/) });
    expect(() => remoteForwarder({ url, secret: SECRET, timeoutMs: 0 })).toThrow(/timeoutMs must be a positive number, got 0/);
  });
});
