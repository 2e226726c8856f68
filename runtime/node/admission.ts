// Admission control for one function: at most `concurrency` calls run at once, at most `pending` wait
// for a slot, and everything past that is refused at once so that memory stays bounded under overload.

export type Release = () => void;

export interface Admission {
  /**
   * A slot: at once when one is free (so the common case costs no promise), once one frees otherwise,
   * or `'full'` when the queue is full too.
   */
  enter(): Release | Promise<Release> | 'full';
  readonly running: number;
  readonly waiting: number;
}

export function admission(concurrency: number, pending: number): Admission {
  if (!(concurrency >= 1) || !(pending >= 0)) {
    throw new Error(`admission needs concurrency >= 1 and pending >= 0, got ${concurrency} and ${pending}`);
  }
  let running = 0;
  const queue: Array<(release: Release) => void> = [];
  const release = (): void => {
    const next = queue.shift();
    if (next) next(once(release));
    else running--;
  };
  return {
    enter() {
      if (running < concurrency) {
        running++;
        return once(release);
      }
      if (queue.length >= pending) return 'full';
      return new Promise((resolve) => queue.push(resolve));
    },
    get running() {
      return running;
    },
    get waiting() {
      return queue.length;
    },
  };
}

// A slot handed on to a waiter stays taken, so `running` only drops when nobody waits.
function once(release: Release): Release {
  let released = false;
  return () => {
    if (released) return;
    released = true;
    release();
  };
}
