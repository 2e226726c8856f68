// The InFlight metric: the node reports it the way the stack's scaling policy and dashboard read it.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { redirect, tapSink, type CastRecord } from '../../runtime/cast/index.js';
import { IN_FLIGHT_METRIC, IN_FLIGHT_PERIOD_SECONDS } from '../../runtime/config/node-metrics.js';
import { inFlight, reportInFlight } from '../../runtime/node/in-flight.js';
import { startNode, type RunningNode } from '../../runtime/node/index.js';
import { httpRequest, invoke, invokeBody } from '../node/helpers.js';
import { SECRET, workspace, type Workspace } from './deployed-node.js';
import { generateStack, notesConfig, resource } from './stack.js';

describe('the in-flight gauge', () => {
  it('averages the count over time, each level weighted by how long it lasted', () => {
    let now = 0;
    const gauge = inFlight(() => now);
    gauge.enter();
    now = 10;
    gauge.enter();
    now = 20;
    gauge.leave();
    now = 40;
    expect(gauge.takeMean()).toBeCloseTo((1 * 10 + 2 * 10 + 1 * 20) / 40);
    expect(gauge.count).toBe(1);
    now = 50;
    gauge.leave();
    now = 60;
    // A new period starts at each take.
    expect(gauge.takeMean()).toBeCloseTo((1 * 10 + 0 * 10) / 20);
  });

  it('matches a step-by-step integration for any sequence of arrivals and departures', () => {
    const step = fc.record({ dt: fc.integer({ min: 0, max: 1000 }), arrive: fc.boolean() });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), fc.integer({ min: 1, max: 1000 }), (steps, tail) => {
        let now = 0;
        const gauge = inFlight(() => now);
        let count = 0;
        let area = 0;
        for (const { dt, arrive } of steps) {
          area += count * dt;
          now += dt;
          if (arrive) {
            gauge.enter();
            count++;
          } else if (count > 0) {
            gauge.leave();
            count--;
          }
        }
        area += count * tail;
        now += tail;
        expect(gauge.takeMean()).toBeCloseTo(area / now, 9);
      }),
    );
  });

  it('refuses a period that is not a positive number of milliseconds', () => {
    expect(() => reportInFlight({ gauge: inFlight(), periodMs: 0, identity: () => undefined })).toThrow(
      new RangeError('the InFlight report period must be a positive number of milliseconds, got 0'),
    );
  });
});

interface EmfRecord extends CastRecord {
  _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> };
}

const inFlightRecords = (records: readonly CastRecord[]): EmfRecord[] =>
  records.filter((record): record is EmfRecord => (record as EmfRecord)._aws?.CloudWatchMetrics.some((m) => m.Metrics.some((metric) => metric.Name === IN_FLIGHT_METRIC)) ?? false);

describe('a node reporting InFlight', () => {
  const { model, template } = generateStack(
    notesConfig({ groups: { primary: { topology: 'production', vpcId: 'vpc-0123abcd', subnetIds: ['subnet-0123abcd', 'subnet-1123abcd'] } } }),
  );
  const tap = tapSink();
  let restore: () => void;
  let files: Workspace;
  let node: RunningNode;

  beforeAll(async () => {
    files = await workspace();
    restore = redirect(tap);
    node = await startNode({ revisionDir: files.revisionDir, port: 0, secret: SECRET, group: 'primary', inFlightPeriodMs: 25 });
  });
  afterAll(async () => {
    await node.close();
    restore();
    await files.cleanup();
  });

  it('reports the requests it answers, then zero once idle, health checks aside', async () => {
    tap.clear();
    const held = invoke(node.url, 'lambda/hold', invokeBody({ ms: 300 }), { secret: SECRET });
    await vi.waitFor(() => expect(inFlightRecords(tap.records).some((record) => (record[IN_FLIGHT_METRIC] as number) > 0)).toBe(true));
    expect((await held).status).toBe(200);
    // Once a period has passed without the request, keep the load balancer's health checks coming.
    tap.clear();
    await vi.waitFor(() => expect(inFlightRecords(tap.records).at(-1)?.[IN_FLIGHT_METRIC]).toBe(0));
    tap.clear();
    const until = Date.now() + 5_000;
    while (inFlightRecords(tap.records).length < 3 && Date.now() < until) {
      expect((await httpRequest(`${node.url}/_ions/health`, 'GET', {})).status).toBe(200);
    }
    const idle = inFlightRecords(tap.records).map((record) => record[IN_FLIGHT_METRIC]);
    // Reported all along: periods without a request count as zero, not as missing data.
    expect(idle.length).toBeGreaterThanOrEqual(3);
    expect(idle.every((value) => value === 0)).toBe(true);
  });

  it('reports what the scaling policy of its group tracks: namespace, name and dimensions', async () => {
    await vi.waitFor(() => expect(inFlightRecords(tap.records).length).toBeGreaterThan(0));
    const record = inFlightRecords(tap.records).at(-1)!;
    const [emf] = record._aws.CloudWatchMetrics;
    const policy = resource(template, model.primary.id('ScalingPolicy')).Properties as {
      TargetTrackingConfiguration: { CustomizedMetricSpecification: { Namespace: string; MetricName: string; Dimensions: Array<{ Name: string; Value: string }> } };
    };
    const tracked = policy.TargetTrackingConfiguration.CustomizedMetricSpecification;
    expect(emf!.Namespace).toBe(tracked.Namespace);
    expect(emf!.Metrics.map((metric) => metric.Name)).toEqual([tracked.MetricName]);
    // CloudWatch matches a metric by its exact dimension set, and the values by name.
    expect(emf!.Dimensions).toEqual([tracked.Dimensions.map((dimension) => dimension.Name)]);
    for (const { Name, Value } of tracked.Dimensions) expect(record[Name], Name).toBe(Value);
  });

  it('is graphed at the period the node reports at', () => {
    const body = resource(template, 'IonsDashboard').Properties.DashboardBody as { 'Fn::Sub': string };
    const widgets = (JSON.parse(body['Fn::Sub']) as { widgets: Array<{ properties: { period?: number; metrics?: unknown[][] } }> }).widgets;
    const graphs = widgets.filter((widget) => widget.properties.metrics?.some((metric) => metric[1] === IN_FLIGHT_METRIC));
    expect(graphs.map((widget) => widget.properties.period)).toEqual([IN_FLIGHT_PERIOD_SECONDS]);
  });
});
