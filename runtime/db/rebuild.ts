// Database values from stored datoms, for storage: the empty database, a bulk load of every datom
// ever transacted (a checkpoint), and the replay of one logged transaction.
import { Db } from './db/database.js';
import { LazyHistory } from './db/history.js';
import { NO_FUNCTIONS, type DbState } from './db/state.js';
import { FIRST_USER_ID, TX0, tToTx, txToT } from './ids.js';
import { IndexWriter, rootsFromDatoms, rootsFromEavt, sortEavt } from './index/indexes.js';
import { InstantRun } from './index/instant-run.js';
import { SharedRun } from './index/shared-run.js';
import { logEntry } from './db/log.js';
import { EAVT } from './index/orders.js';
import { prefixBounds, rangeArray } from './index/range.js';
import { BOOTSTRAP_TX, DB_TX_INSTANT, LAST_SCHEMA_ATTR, bootstrapDatoms } from './schema/bootstrap.js';
import { Schema } from './schema/schema.js';
import type { Database, Datom, FunctionRegistry, LogEntry } from './types.js';

export interface RebuildOptions {
  functions?: FunctionRegistry;
}

let bootstrap: { datoms: Datom[]; state: Omit<DbState, 'log' | 'functions'> } | undefined;

function bootstrapState(): { datoms: Datom[]; state: Omit<DbState, 'log' | 'functions'> } {
  if (bootstrap === undefined) {
    // In EAVT order, so that a rebuild's input stays in log order with them in front.
    const datoms = sortEavt(bootstrapDatoms(), true);
    const schema = Schema.fromDatoms(datoms);
    const isRef = (a: number): boolean => schema.attrs.get(a)?.isRef === true;
    bootstrap = {
      datoms,
      state: { live: rootsFromDatoms(datoms, isRef, false), instants: InstantRun.EMPTY, history: rootsFromDatoms([], isRef, true), schema, basisT: 0, maxEid: FIRST_USER_ID - 1, lastInstant: 0 },
    };
  }
  return bootstrap;
}

/** A database holding only the built-in attributes (basisT 0). */
export function emptyDb(options: RebuildOptions = {}): Db {
  return new Db({ ...bootstrapState().state, log: SharedRun.empty(), functions: options.functions ?? NO_FUNCTIONS });
}

function mustBeDb(db: Database, what: string): Db {
  if (!(db instanceof Db)) throw new TypeError(`${what} needs a database value made by this library`);
  if (db.asOfT !== undefined || db.sinceT !== undefined || db.isHistory) throw new TypeError(`${what} needs a database value without asOf, since or history`);
  return db;
}

/** Every datom of transactions 1..basisT (assertions and retractions) in log order: a checkpoint's content. */
export function* logDatoms(db: Database): Generator<Datom> {
  const state = mustBeDb(db, 'logDatoms').state;
  for (let t = 1; t <= state.basisT; t++) yield* logEntry(state, t).data;
}

/**
 * The database that `datoms` (every datom of transactions 1..basisT, as `logDatoms` gives them, in any
 * order) describe. Built in bulk: sorted once per index, no per-datom tree updates.
 */
export function dbFromDatoms(datoms: Iterable<Datom>, options: RebuildOptions & { basisT?: number } = {}): Db {
  const boot = bootstrapState();
  const given: Datom[] = [];
  for (const d of datoms) if (d.tx !== BOOTSTRAP_TX) given.push(d);
  const log = logOf(given, options.basisT);
  const basisT = log.length;
  const all = sortLogOrder(boot.datoms.concat(given));
  let live: Datom[] = all;
  let past: Datom[] = [];
  if (!given.every((d) => d.added)) {
    // Per fact (a run of equal e, a, v in tx order), the last change decides whether it is live;
    // every other datom of the run is history.
    live = [];
    for (let i = 0; i < all.length; i++) {
      const d = all[i]!;
      const next = all[i + 1];
      const lastOfFact = next === undefined || EAVT.key(d, next) !== 0;
      if (lastOfFact && d.added) live.push(d);
      else past.push(d);
    }
  }
  const schema = Schema.fromDatoms(live);
  const isRef = (a: number): boolean => schema.attrs.get(a)?.isRef === true;
  const history = past.filter((d) => schema.attrs.get(d.a)?.noHistory !== true);
  let maxEid = FIRST_USER_ID - 1;
  for (const d of given) if (d.e > maxEid && d.e < TX0) maxEid = d.e;
  const lastInstant = basisT === 0 ? 0 : (log[basisT - 1]!.data[0]!.v as Date).getTime();
  return new Db({
    live: rootsFromEavt(live, isRef, false),
    instants: InstantRun.EMPTY,
    history: rootsFromEavt(history, isRef, true),
    schema,
    basisT,
    maxEid,
    lastInstant,
    log: SharedRun.of(log),
    functions: options.functions ?? NO_FUNCTIONS,
  });
}

// Datoms in full EAVT order. Log order is nearly that: entities are usually made (and given their
// datoms) in ascending id order, and transaction entities come in ascending t; then only each
// entity's own few datoms need sorting, which beats sorting everything. Other orders get the general sort.
function sortLogOrder(datoms: readonly Datom[]): Datom[] {
  const entities: Datom[] = [];
  const txs: Datom[] = [];
  let lastEntity = -1;
  let lastTx = -1;
  for (const d of datoms) {
    const e = d.e;
    if (e < TX0) {
      if (e < lastEntity) return sortEavt(datoms, true);
      lastEntity = e;
      entities.push(d);
    } else {
      if (e < lastTx) return sortEavt(datoms, true);
      lastTx = e;
      txs.push(d);
    }
  }
  const out = entities.concat(txs);
  for (let i = 0; i < out.length; ) {
    const e = out[i]!.e;
    let j = i + 1;
    while (j < out.length && out[j]!.e === e) j++;
    sortRun(out, i, j);
    i = j;
  }
  return out;
}

// Sorts xs[from..to) in place: an insertion sort for the short, mostly ordered runs of one entity.
function sortRun(xs: Datom[], from: number, to: number): void {
  const cmp = EAVT.full;
  if (to - from > 32) {
    const run = xs.slice(from, to).sort(cmp);
    for (let i = 0; i < run.length; i++) xs[from + i] = run[i]!;
    return;
  }
  for (let i = from + 1; i < to; i++) {
    const x = xs[i]!;
    let j = i - 1;
    while (j >= from && cmp(xs[j]!, x) > 0) {
      xs[j + 1] = xs[j]!;
      j--;
    }
    xs[j + 1] = x;
  }
}

// Log entries for t = 1..basisT, each with its :db/txInstant datom first.
function logOf(given: readonly Datom[], basisT: number | undefined): LogEntry[] {
  const byT: Datom[][] = [];
  for (const d of given) {
    const t = txToT(d.tx);
    if (t < 1 || !Number.isSafeInteger(t)) throw new TypeError(`datom ${d.e} ${d.a} has tx ${d.tx}, which is not a transaction id`);
    (byT[t - 1] ??= []).push(d);
  }
  const n = basisT ?? byT.length;
  if (byT.length > n) throw new TypeError(`datoms of transaction ${byT.length} are beyond basisT ${n}`);
  const log: LogEntry[] = [];
  for (let i = 0; i < n; i++) {
    const data = byT[i];
    const tx = tToTx(i + 1);
    const at = data?.findIndex((d) => d.e === tx && d.a === DB_TX_INSTANT && d.added) ?? -1;
    if (data === undefined || at < 0) throw new TypeError(`transaction ${i + 1} is missing from the datoms (no :db/txInstant for it)`);
    if (at > 0) {
      const instant = data[at]!;
      data.copyWithin(1, 0, at);
      data[0] = instant;
    }
    log.push({ t: i + 1, data });
  }
  return log;
}

/**
 * The database after replaying one logged transaction's datoms (a TxReport's txData) on `db`: no
 * functions run, no tempids, nothing re-decided. The datoms must be of transaction db.basisT + 1.
 */
export function applyTxData(db: Database, txData: readonly Datom[]): Db {
  const state = mustBeDb(db, 'applyTxData').state;
  const t = state.basisT + 1;
  const tx = tToTx(t);
  const stranger = txData.find((d) => d.tx !== tx);
  if (stranger !== undefined) throw new TypeError(`applyTxData: datom of tx ${stranger.tx} in the data of transaction ${t} (tx ${tx})`);
  const instantAt = txData.findIndex((d) => d.e === tx && d.a === DB_TX_INSTANT && d.added);
  if (instantAt < 0) throw new TypeError(`applyTxData: transaction ${t} has no :db/txInstant datom`);
  const instant = txData[instantAt]!;
  const edit = {};
  const live = new IndexWriter(state.live, edit, false);
  const toHistory: Datom[] = [];
  const schemaTouched = new Set<number>();
  let maxEid = state.maxEid;
  for (const d of txData) {
    if (d === instant) continue;
    const attr = state.schema.attrs.get(d.a);
    if (attr === undefined) throw new TypeError(`applyTxData: ${d.a} is not an attribute`);
    if (d.e > maxEid && d.e < TX0) maxEid = d.e;
    if (d.a <= LAST_SCHEMA_ATTR) schemaTouched.add(d.e);
    if (d.added) {
      live.add(d, attr.isRef);
      continue;
    }
    const stored = live.removeLive(d, attr.isRef);
    if (stored === undefined) throw new TypeError(`applyTxData: retraction of a fact that is not live: ${d.e} ${attr.ident}`);
    if (!attr.noHistory) toHistory.push(stored, d);
  }
  const data = instantAt === 0 ? txData : [instant, ...txData.filter((_, i) => i !== instantAt)];
  const liveRoots = live.roots();
  const schema = schemaTouched.size === 0 ? state.schema : state.schema.update(schemaTouched, (e) => rangeArray(liveRoots.eavt, prefixBounds(EAVT, [e])));
  return new Db({
    live: liveRoots,
    instants: state.instants.plus(instant),
    history: LazyHistory.of(state.history).plus(toHistory, schema),
    schema,
    basisT: t,
    maxEid,
    lastInstant: (instant.v as Date).getTime(),
    log: state.log.plus({ t, data }),
    functions: state.functions,
  });
}
