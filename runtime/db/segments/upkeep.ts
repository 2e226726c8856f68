// Upkeep of a database whose checkpoints are index segments, run by the node that writes it: garbage
// collection now and then, and the segment cache's hit rates as metrics every minute. Each job
// schedules its next run only once the current one has finished, so runs never overlap; a failed run
// is cast as an alert and the next one goes ahead as planned.
import { alert, errorData } from '../../cast/index.js';
import type { DatabaseStorage } from '../storage/storage.js';
import { collectGarbage, type GarbageOptions, type GarbageResult } from './collect-garbage.js';
import type { SegmentCache } from './segment-cache.js';

/** The clock's timer functions; tests pass their own. */
export interface UpkeepTimers {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface SegmentUpkeepOptions {
  /** The database to collect garbage in; its storage must implement listBlobs and deleteBlob. */
  readonly store: DatabaseStorage;
  /** False on nodes that only read (followers): metrics alone, no collection. Default true. */
  readonly collect?: boolean;
  /** The cache this process reads segments through, whose hit rates are reported. */
  readonly cache?: SegmentCache;
  /** Mean time between garbage collections; default 1 hour. */
  readonly collectEveryMs?: number;
  /** Each wait is the period times a random factor in [1 - jitter, 1 + jitter); default 0.2. */
  readonly jitter?: number;
  /** Time between metric reports; default 60 s. */
  readonly metricsEveryMs?: number;
  /** A collection runs only while this says so (the node holds the writer lease); default always. */
  readonly active?: () => boolean;
  /** Passed to every collectGarbage run (retention, grace, pinned roots). */
  readonly garbage?: Omit<GarbageOptions, 'now'>;
  readonly timers?: UpkeepTimers;
  /** Uniform in [0, 1); default Math.random. */
  readonly random?: () => number;
  /** Told of each finished collection, for tests and callers that log more. */
  readonly onCollected?: (result: GarbageResult) => void;
}

/** How often and how carefully upkeep runs, as a host passes it on (the node on scale-out storage). */
export type UpkeepSchedule = Pick<SegmentUpkeepOptions, 'collectEveryMs' | 'jitter' | 'metricsEveryMs' | 'garbage'>;

export interface SegmentUpkeep {
  /** Cancels the next runs and waits for one in progress; later calls do nothing. */
  stop(): Promise<void>;
}

const HOUR = 60 * 60 * 1000;
const DEFAULT_METRICS_MS = 60 * 1000;
const DEFAULT_JITTER = 0.2;

const globalTimers: UpkeepTimers = {
  setTimeout(run, ms) {
    // Upkeep never keeps a process alive by itself.
    return globalThis.setTimeout(run, ms).unref();
  },
  clearTimeout(handle) {
    globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>);
  },
};

function checkPeriod(name: string, ms: number): number {
  if (!Number.isFinite(ms) || ms <= 0) throw new RangeError(`startSegmentUpkeep: ${name} must be a positive number of milliseconds, got ${ms}`);
  return ms;
}

/** Starts the upkeep jobs of `store`; the first collection comes after one (jittered) period. */
export function startSegmentUpkeep(options: SegmentUpkeepOptions): SegmentUpkeep {
  const { store, cache, garbage, onCollected, active } = options;
  const collects = options.collect ?? true;
  if (collects && (store.listBlobs === undefined || store.deleteBlob === undefined)) {
    throw new TypeError(`startSegmentUpkeep: storage of ${store.name} cannot list and delete blobs (listBlobs, deleteBlob), which garbage collection needs`);
  }
  const collectEvery = checkPeriod('collectEveryMs', options.collectEveryMs ?? HOUR);
  const metricsEvery = checkPeriod('metricsEveryMs', options.metricsEveryMs ?? DEFAULT_METRICS_MS);
  const jitter = options.jitter ?? DEFAULT_JITTER;
  if (!(jitter >= 0 && jitter < 1)) throw new RangeError(`startSegmentUpkeep: jitter must be at least 0 and below 1, got ${jitter}`);
  const timers = options.timers ?? globalTimers;
  const random = options.random ?? Math.random;

  let stopped = false;
  let collectTimer: unknown;
  let metricsTimer: unknown;
  let collecting: Promise<void> | undefined;

  const scheduleCollection = (): void => {
    const wait = collectEvery * (1 - jitter + 2 * jitter * random());
    collectTimer = timers.setTimeout(() => {
      collecting = collect().finally(() => {
        collecting = undefined;
        if (!stopped) scheduleCollection();
      });
    }, wait);
  };

  const collect = async (): Promise<void> => {
    try {
      if (active !== undefined && !active()) return;
      const result = await collectGarbage(store, garbage);
      onCollected?.(result);
    } catch (error) {
      alert({ msg: 'db.segments/garbage-collection-failed', db: store.name, ex: errorData(error) });
    }
  };

  const scheduleMetrics = (): void => {
    metricsTimer = timers.setTimeout(() => {
      try {
        cache!.reportMetrics();
      } catch (error) {
        alert({ msg: 'db.segments/metrics-failed', db: store.name, ex: errorData(error) });
      }
      if (!stopped) scheduleMetrics();
    }, metricsEvery);
  };

  if (collects) scheduleCollection();
  if (cache !== undefined) scheduleMetrics();

  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      timers.clearTimeout(collectTimer);
      if (metricsTimer !== undefined) timers.clearTimeout(metricsTimer);
      await collecting;
    },
  };
}
