import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { alert, dev, event, fileSink, metric, redirect, setCastContext, setLocal, tapSink } from '../../runtime/cast/index.js';

describe('cast', () => {
  const tap = tapSink();
  let restore = redirect(tap);
  afterEach(() => {
    tap.clear();
    restore();
    restore = redirect(tap);
    setLocal(false);
    setCastContext({});
  });

  it('writes events and alerts as records carrying the node context', () => {
    setCastContext({ app: 'signup', revision: 'abc' });
    event({ msg: 'signed-up', who: 'ada' });
    alert({ msg: 'boom', ex: new Error('kaput', { cause: new Error('root') }) });
    expect(tap.records).toHaveLength(2);
    expect(tap.records[0]).toMatchObject({ type: 'event', app: 'signup', revision: 'abc', msg: 'signed-up', who: 'ada' });
    const ex = tap.records[1]!.ex as { message: string; stack: string; cause: { message: string } };
    expect(ex.message).toBe('kaput');
    expect(ex.cause.message).toBe('root');
  });

  it('keeps errors, bigints and cycles in the JSON line', () => {
    const lines: string[] = [];
    const undo = redirect({ write: (line) => void lines.push(line) });
    const cyclic: Record<string, unknown> = { n: 1n };
    cyclic.self = cyclic;
    alert({ msg: 'x', ex: new TypeError('bad'), data: cyclic });
    undo();
    const parsed = JSON.parse(lines[0]!) as { ex: { name: string; message: string }; data: { n: string; self: string } };
    expect(parsed.ex).toMatchObject({ name: 'TypeError', message: 'bad' });
    expect(parsed.data).toEqual({ n: '1', self: '[circular]' });
  });

  it('drops dev output unless local', () => {
    dev({ msg: 'hidden' });
    setLocal(true);
    dev({ msg: 'shown' });
    expect(tap.records.map((r) => r.msg)).toEqual(['shown']);
  });

  it('writes metrics as CloudWatch Embedded Metric Format', () => {
    setCastContext({ app: 'signup' });
    metric({ name: 'Signups', value: 2, units: 'Count', dimensions: { group: 'primary' } });
    const record = tap.records[0] as { _aws: { CloudWatchMetrics: Array<{ Metrics: unknown[]; Dimensions: string[][] }> }; Signups: number; app: string };
    expect(record.Signups).toBe(2);
    expect(record.app).toBe('signup');
    expect(record._aws.CloudWatchMetrics[0]!.Metrics).toEqual([{ Name: 'Signups', Unit: 'Count' }]);
    expect(record._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['group']]);
  });

  it('appends to a file sink', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'cast-')), 'cast.log');
    const undo = redirect(fileSink(path));
    event({ msg: 'one' });
    event({ msg: 'two' });
    undo();
    const msgs = readFileSync(path, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(msgs).toEqual(['one', 'two']);
  });
});
