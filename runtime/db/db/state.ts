import type { IndexRoots } from '../index/indexes.js';
import type { InstantRun } from '../index/instant-run.js';
import type { SharedRun } from '../index/shared-run.js';
import type { Schema } from '../schema/schema.js';
import type { FunctionRegistry, LogEntry } from '../types.js';

/** Everything a database value is made of; shared by its asOf, since and history views. */
export interface DbState {
  /** Datoms true at basisT, each fact once, besides the ones in `instants`. Read them through live.ts. */
  readonly live: IndexRoots;
  /** :db/txInstant datoms of recent transactions, live but in no tree. */
  readonly instants: InstantRun;
  /** Retracted facts: each assertion that was later retracted, and its retraction. Transactions leave it to be built on first read (see history.ts). */
  readonly history: IndexRoots;
  readonly schema: Schema;
  readonly basisT: number;
  /** The greatest entity id in use below the transaction ids. */
  readonly maxEid: number;
  /** Epoch milliseconds of the latest :db/txInstant; the next one may not be earlier. */
  readonly lastInstant: number;
  /** Log entries for t = 1 .. basisT at indexes 0 .. basisT-1, shared with the values made from this one. Read them with log.ts. */
  readonly log: SharedRun<LogEntry>;
  readonly functions: FunctionRegistry;
}

export const NO_FUNCTIONS: FunctionRegistry = { resolve: () => undefined };
