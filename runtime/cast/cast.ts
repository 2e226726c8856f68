// Cast: how ions report what happens. `event` for ordinary occurrences, `alert` for errors that need a
// person, `metric` for numbers CloudWatch should graph, `dev` for output only wanted while developing
// locally. Every record is one JSON line carrying the app info of the node that cast it.
import { toEmf, type MetricData } from './metric-format.js';
import { toJsonLine } from './serialize.js';
import { stdoutSink, type CastRecord, type CastSink } from './sink.js';

export interface CastData {
  msg: string;
  [key: string]: unknown;
}

export interface AlertData extends CastData {
  ex?: unknown;
}

interface CastState {
  sink: CastSink;
  local: boolean;
  context: Record<string, unknown>;
}

// A revision bundles its own copy of this module with the app code; the state lives on globalThis so
// that the node's redirect, local flag and context reach the casts of every copy.
const STATE_KEY = Symbol.for('serverless-ions.cast');
const state: CastState = ((globalThis as { [STATE_KEY]?: CastState })[STATE_KEY] ??= {
  sink: stdoutSink,
  local: process.env.IONS_LOCAL === '1',
  context: {},
});

/** Sends cast output to `sink` until the returned function restores the previous one. */
export function redirect(sink: CastSink): () => void {
  const previous = state.sink;
  state.sink = sink;
  return () => {
    state.sink = previous;
  };
}

/** `dev` output is written only while local (`ions dev`, tests); a deployed node drops it. */
export function setLocal(local: boolean): void {
  state.local = local;
}

/** Fields added to every record: app, group, revision, node. */
export function setCastContext(context: Record<string, unknown>): void {
  state.context = { ...context };
}

function write(type: string, data: Record<string, unknown>): void {
  const record: CastRecord = { ...state.context, type, time: new Date().toISOString(), ...data };
  state.sink.write(toJsonLine(record), record);
}

export function event(data: CastData): void {
  write('event', data);
}

export function alert(data: AlertData): void {
  write('alert', data);
}

export function dev(data: CastData): void {
  if (state.local) write('dev', data);
}

export function metric(data: MetricData): void {
  const properties = { ...state.context, type: 'metric' };
  for (const line of toEmf(data, properties, new Date())) {
    state.sink.write(line, JSON.parse(line) as CastRecord);
  }
}

export type { MetricData };
