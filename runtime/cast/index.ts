export { alert, dev, event, metric, redirect, setCastContext, setLocal } from './cast.js';
export type { AlertData, CastData, MetricData } from './cast.js';
export { fileSink, stderrSink, stdoutSink, tapSink } from './sink.js';
export type { CastRecord, CastSink, TapSink } from './sink.js';
export { errorData } from './serialize.js';
