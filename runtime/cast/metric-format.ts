// Metrics leave the node as CloudWatch Embedded Metric Format log lines, so CloudWatch extracts them
// from the node's log stream with no PutMetricData call. aws-embedded-metrics owns the format; its
// MetricsLogger flushes to its own sinks, so we use its context and serializer and keep our sinks.
import { MetricsContext } from 'aws-embedded-metrics/lib/logger/MetricsContext.js';
import { LogSerializer } from 'aws-embedded-metrics/lib/serializers/LogSerializer.js';

export interface MetricData {
  name: string;
  value: number;
  /** A CloudWatch unit name: `Count`, `Milliseconds`, `Bytes`… */
  units?: string;
  dimensions?: Record<string, string>;
  namespace?: string;
}

const serializer = new LogSerializer();

/** One or more EMF JSON documents (the serializer splits past CloudWatch's per-document limits). */
export function toEmf(metric: MetricData, properties: Record<string, unknown>, timestamp: Date): string[] {
  const context = MetricsContext.empty();
  context.setNamespace(metric.namespace ?? 'serverless-ions');
  context.setTimestamp(timestamp);
  context.setDimensions([metric.dimensions ?? {}], false);
  for (const [key, value] of Object.entries(properties)) context.setProperty(key, value);
  context.putMetric(metric.name, metric.value, metric.units ?? 'None');
  return serializer.serialize(context);
}
