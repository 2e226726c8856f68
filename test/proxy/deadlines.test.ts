import { describe, expect, it } from 'vitest';
import { watchDeadline } from '../../runtime/proxy/deadlines.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('watchDeadline', () => {
  it('runs each expiry once its own time has passed, earliest first, and never a cancelled one', async () => {
    const fired: string[] = [];
    const started = Date.now();
    const firedAt = new Map<string, number>();
    const watch = (name: string, ms: number) =>
      watchDeadline(ms, () => {
        fired.push(name);
        firedAt.set(name, Date.now() - started);
      });
    watch('late', 120);
    // Armed after a later one, an earlier deadline still fires on its own time.
    watch('early', 30);
    const cancelled = watch('cancelled', 60);
    watch('middle', 80);
    cancelled.cancel();
    await sleep(250);
    expect(fired).toEqual(['early', 'middle', 'late']);
    expect(firedAt.get('early')!).toBeGreaterThanOrEqual(29);
    expect(firedAt.get('middle')!).toBeGreaterThanOrEqual(79);
    expect(firedAt.get('late')!).toBeGreaterThanOrEqual(119);
  });

  it('keeps watching new deadlines after everything pending was cancelled', async () => {
    watchDeadline(20, () => undefined).cancel();
    let fired = false;
    watchDeadline(40, () => {
      fired = true;
    });
    await sleep(120);
    expect(fired).toBe(true);
  });
});
