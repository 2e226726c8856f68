// The log entries a database value holds: every transaction's datoms, by t. A value opened from a
// segment index holds none before the index's t; asking for one of those says where to read it.
import type { Datom, LogEntry } from '../types.js';
import type { DbState } from './state.js';

class UnloadedLogEntry implements LogEntry {
  constructor(readonly t: number) {}

  get data(): readonly Datom[] {
    throw new Error(`log entry t=${this.t} predates the segment index this database was opened from: read it from storage (Connection.txRange)`);
  }
}

/** The entry of transaction t (1 .. basisT). */
export function logEntry(state: DbState, t: number): LogEntry {
  return state.log.at(t - 1) ?? new UnloadedLogEntry(t);
}
