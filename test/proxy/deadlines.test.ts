import { describe, expect, it } from 'vitest';
import { Deadline } from '../../runtime/proxy/deadlines.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class Recorded extends Deadline {
  constructor(
    readonly name: string,
    ms: number,
    private readonly onExpiry: (name: string) => void,
  ) {
    super(Date.now() + ms);
  }

  expire(): void {
    this.onExpiry(this.name);
  }
}

describe('Deadline', () => {
  it('runs each expiry once its own time has passed, earliest first, and never an unwatched one', async () => {
    const fired: string[] = [];
    const started = Date.now();
    const firedAt = new Map<string, number>();
    const watch = (name: string, ms: number) => {
      const deadline = new Recorded(name, ms, (which) => {
        fired.push(which);
        firedAt.set(which, Date.now() - started);
      });
      deadline.watch();
      return deadline;
    };
    watch('late', 120);
    // Armed after a later one, an earlier deadline still fires on its own time.
    watch('early', 30);
    const cancelled = watch('cancelled', 60);
    watch('middle', 80);
    cancelled.unwatch();
    await sleep(250);
    expect(fired).toEqual(['early', 'middle', 'late']);
    expect(firedAt.get('early')!).toBeGreaterThanOrEqual(29);
    expect(firedAt.get('middle')!).toBeGreaterThanOrEqual(79);
    expect(firedAt.get('late')!).toBeGreaterThanOrEqual(119);
  });

  it('keeps watching new deadlines after everything pending was unwatched', async () => {
    new Recorded('gone', 20, () => undefined).unwatch();
    const unwatched = new Recorded('gone', 20, () => undefined);
    unwatched.watch();
    unwatched.unwatch();
    let fired = false;
    new Recorded('kept', 40, () => {
      fired = true;
    }).watch();
    await sleep(120);
    expect(fired).toBe(true);
  });

  it('runs an expiry once even when watched twice, and skips one that an earlier expiry unwatched', async () => {
    const fired: string[] = [];
    const victim = new Recorded('victim', 10, (name) => fired.push(name));
    const killer = new Recorded('killer', 10, (name) => {
      fired.push(name);
      victim.unwatch();
    });
    // Listed newest first: the killer expires before its victim is reached.
    victim.watch();
    victim.watch();
    killer.watch();
    await sleep(80);
    expect(fired).toEqual(['killer']);
  });
});
