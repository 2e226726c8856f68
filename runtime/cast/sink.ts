// Where cast output goes. Deployed nodes write JSON lines to stdout (the CloudWatch agent ships them);
// tests redirect to a tap and read what was cast.
import { appendFileSync } from 'node:fs';

export type CastRecord = Readonly<Record<string, unknown>>;

export interface CastSink {
  write(line: string, record: CastRecord): void;
}

export const stdoutSink: CastSink = { write: (line) => void process.stdout.write(line + '\n') };
export const stderrSink: CastSink = { write: (line) => void process.stderr.write(line + '\n') };

export function fileSink(path: string): CastSink {
  // Synchronous so that a record cast just before a crash is on disk.
  return { write: (line) => appendFileSync(path, line + '\n') };
}

export interface TapSink extends CastSink {
  readonly records: CastRecord[];
  clear(): void;
}

export function tapSink(): TapSink {
  const records: CastRecord[] = [];
  return {
    records,
    write: (_line, record) => void records.push(record),
    clear: () => void records.splice(0),
  };
}
