// Requests in flight on a node, reported as the InFlight metric that production groups scale on.
// The value is the time-weighted mean over the period (the area under the in-flight count divided by
// the period), so a burst between two reports counts for as long as it lasted; a sample taken at the
// moment of the report would see it or miss it by chance.
//
// The node reports every period, zero included: target tracking takes missing data as "insufficient"
// and never scales in on it, and the group's average would leave out idle nodes exactly when they
// should pull it down. One line per node per minute costs nothing next to the requests themselves.
import { metric } from '../cast/index.js';
import { IN_FLIGHT_METRIC, METRIC_DIMENSIONS, METRIC_NAMESPACE } from '../config/node-metrics.js';

export interface InFlight {
  enter(): void;
  leave(): void;
  readonly count: number;
  /** The mean count since the previous call (or since the gauge was made), and starts a new period. */
  takeMean(): number;
}

export function inFlight(now: () => number = performance.now.bind(performance)): InFlight {
  let count = 0;
  let since = now();
  let changedAt = since;
  let area = 0;
  const settle = (at: number): void => {
    area += count * (at - changedAt);
    changedAt = at;
  };
  return {
    enter() {
      settle(now());
      count++;
    },
    leave() {
      settle(now());
      count--;
    },
    get count() {
      return count;
    },
    takeMean() {
      const at = now();
      settle(at);
      const mean = at > since ? area / (at - since) : count;
      area = 0;
      since = at;
      return mean;
    },
  };
}

export interface InFlightReport {
  gauge: InFlight;
  periodMs: number;
  /** Who the node is; undefined until it serves a revision, and nothing is reported before that. */
  identity(): { app: string; group: string } | undefined;
}

/** Casts the metric every period until the returned function is called. */
export function reportInFlight({ gauge, periodMs, identity }: InFlightReport): () => void {
  if (!(periodMs > 0)) throw new RangeError(`the InFlight report period must be a positive number of milliseconds, got ${periodMs}`);
  const timer = setInterval(() => {
    const mean = gauge.takeMean();
    const who = identity();
    if (who === undefined) return;
    metric({
      name: IN_FLIGHT_METRIC,
      namespace: METRIC_NAMESPACE,
      value: mean,
      units: 'Count',
      dimensions: { [METRIC_DIMENSIONS.app]: who.app, [METRIC_DIMENSIONS.group]: who.group },
    });
  }, periodMs);
  // A report is never a reason to keep the process alive.
  timer.unref();
  return () => clearInterval(timer);
}
