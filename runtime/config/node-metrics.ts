// The node metric production groups scale on. The node emits it (runtime/node/in-flight.ts) and the
// plugin's scaling policy and dashboard read it (plugin/template/): one definition for both sides.

/** Where cast metrics go by default and where the plugin publishes its own. */
export const METRIC_NAMESPACE = 'serverless-ions';
/** Requests in flight on a node, averaged over the period. */
export const IN_FLIGHT_METRIC = 'InFlight';
/** Dimension names: the app, and the compute group the node belongs to. */
export const METRIC_DIMENSIONS = { app: 'app', group: 'group' } as const;
/**
 * How often a node reports, in seconds. Target tracking evaluates custom metrics per minute, and the
 * dashboard and alarms use 60-second periods: one data point per node per period.
 */
export const IN_FLIGHT_PERIOD_SECONDS = 60;
