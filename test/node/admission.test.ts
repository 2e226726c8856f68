import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admission, startNode, type Release, type RunningNode } from '../../runtime/node/index.js';
import { SECRET, buildFixture, configA, httpRequest, invoke, invokeBody, tempDirs } from './helpers.js';

describe('admission', () => {
  it('never runs more than its concurrency nor queues more than its pending, and serves waiters in order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 4 }), fc.array(fc.boolean(), { maxLength: 40 }), async (concurrency, pending, steps) => {
        const limit = admission(concurrency, pending);
        const held: Release[] = [];
        const order: number[] = [];
        let admitted = 0;
        let refused = 0;
        let released = 0;
        for (const [i, enter] of steps.entries()) {
          if (enter) {
            const slot = limit.enter();
            if (slot === 'full') refused++;
            else {
              admitted++;
              const admit = (release: Release): void => {
                order.push(i);
                held.push(release);
              };
              // A free slot is handed over at once; only a waiter gets a promise.
              if (typeof slot === 'function') {
                expect(limit.waiting).toBe(0);
                admit(slot);
              } else void slot.then(admit);
            }
          } else {
            const release = held.shift();
            if (release) {
              release();
              released++;
            }
          }
          await Promise.resolve();
          await Promise.resolve();
          expect(limit.running).toBeLessThanOrEqual(concurrency);
          expect(limit.waiting).toBeLessThanOrEqual(pending);
          expect(limit.running + limit.waiting).toBe(admitted - released);
        }
        expect(order).toEqual([...order].sort((a, b) => a - b));
        expect(refused + admitted).toBe(steps.filter(Boolean).length);
      }),
    );
  });

  it('hands a free slot over without a promise, and ignores a second release of it', () => {
    const limit = admission(1, 1);
    const release = limit.enter();
    if (typeof release !== 'function') throw new Error(`expected a slot at once, got ${String(release)}`);
    release();
    release();
    expect(limit.running).toBe(0);
  });
});

describe('a saturated node', () => {
  const dirs = tempDirs();
  let node: RunningNode;

  beforeAll(async () => {
    const dir = await buildFixture(dirs, 'service-a', configA(), 'overload');
    node = await startNode({ revisionDir: dir, port: 0, secret: SECRET, lambdaPending: 3 });
  });

  afterAll(async () => {
    await node?.close();
    await dirs.cleanup();
  });

  it('answers 429 with Retry-After past concurrency 2 + pending 3 of a lambda, and serves the admitted ones', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => invoke(node.url, 'lambda/slow', invokeBody({ ms: 400 }))));
    const ok = answers.filter((answer) => answer.status === 200);
    const refused = answers.filter((answer) => answer.status === 429);
    expect(ok).toHaveLength(5);
    expect(refused).toHaveLength(15);
    for (const answer of refused) {
      expect(answer.headers['retry-after']).toBe('1');
      expect(answer.json()).toEqual({ error: 'lambda/slow is saturated' });
    }
    // Freed slots admit again.
    expect((await invoke(node.url, 'lambda/slow', invokeBody({ ms: 0 }))).status).toBe(200);
  });

  it('throttles HTTP-direct with its configured status and message past its limits', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => httpRequest(`${node.url}/work?ms=400`, 'GET', {})));
    const ok = answers.filter((answer) => answer.status === 200);
    const throttled = answers.filter((answer) => answer.status === 503);
    expect(ok).toHaveLength(5);
    expect(throttled).toHaveLength(15);
    expect(throttled[0]!.text).toBe('too busy');
    expect(throttled[0]!.headers['retry-after']).toBe('1');
  });
});
