// transact(db, txData) -> TxReport, computed purely: expand the data to ops, give tempids their ids,
// apply the ops to copies of the indexes, maintain composite tuples (checking any stated to upsert
// by), check uniqueness, re-read the schema if it changed (checking attributes made unique).
// Any failure throws before a new value exists, so nothing is half done.
import { Db } from '../db/database.js';
import { LazyHistory } from '../db/history.js';
import type { DbState } from '../db/state.js';
import { MAX_T, tToTx } from '../ids.js';
import { prefixBounds, rangeArray } from '../index/range.js';
import { AVET } from '../index/orders.js';
import { DB_TX_INSTANT, DB_UNIQUE } from '../schema/bootstrap.js';
import type { Schema } from '../schema/schema.js';
import type { Database, Datom, TxData, TxOptions, TxReport } from '../types.js';
import { valuesEqual } from '../values/order.js';
import { show } from '../values/show.js';
import { StoredDatom } from '../datom.js';
import { Conflict, TxWriter } from './apply.js';
import { TxError, txError } from './errors.js';
import { Expander } from './expand.js';
import { ADD, CAS, type Op, RETRACT, RETRACT_ATTR } from './ops.js';
import { resolveTempids } from './tempids.js';
import { maintainTuples } from './tuples.js';

export function transact(db: Database, txData: TxData, options: TxOptions = {}): TxReport {
  if (!(db instanceof Db)) throw new TypeError('transact needs a database value made by this library (emptyDb, dbFromDatoms or a report)');
  if (db.asOfT !== undefined || db.sinceT !== undefined || db.isHistory) throw new TypeError('cannot transact against an asOf, since or history database value');
  const state = db.state;
  const t = state.basisT + 1;
  if (t > MAX_T) throw new TxError(`transaction ids exhausted at t ${state.basisT}`, undefined, undefined);
  const txId = tToTx(t);
  const expander = new Expander(db, txId, options.functions ?? state.functions, txData);
  expander.expandAll();
  const ops = expander.ops;
  const { maxEid, tempids } = resolveTempids(state, ops, expander.allTemps, txData);

  const writer = new TxWriter(state.live, {}, state.schema, txId);
  const instant = txInstant(state, ops, options, txData);
  const instantDatom = new StoredDatom(txId, DB_TX_INSTANT, instant, txId, true);
  writer.out.push(instantDatom);
  let current: Op | undefined;
  const statedTuples: Op[] = [];
  try {
    for (current of ops) {
      // A composite tuple is only ever stated to upsert by; the database makes its value.
      if (current.kind === ADD && current.attr!.tupleAttrs !== undefined) statedTuples.push(current);
      else if (current.attr?.id === DB_TX_INSTANT) checkInstantOp(current, txId, instant);
      else applyOp(writer, current);
    }
    current = undefined;
    maintainTuples(writer, state.schema);
    checkStatedTuples(writer, statedTuples, txData);
    checkUnique(writer, state.schema, txData);
  } catch (e) {
    if (e instanceof Conflict) throw txError(txData, current?.src, e.message);
    throw e;
  }
  const schema = nextSchema(state.schema, writer, txData);
  if (schema !== state.schema) checkNewlyUnique(writer, state.schema, schema, ops, txData);
  const after: DbState = {
    live: writer.live.roots(),
    instants: state.instants.plus(instantDatom),
    history: LazyHistory.of(state.history).plus(writer.toHistory, schema),
    schema,
    basisT: t,
    maxEid,
    lastInstant: instant.getTime(),
    log: state.log.plus({ t, data: writer.out }),
    functions: state.functions,
  };
  return { dbBefore: db, dbAfter: new Db(after), txData: writer.out, tempids };
}

// A transaction's instant is made with it (stated, or now) and never changes afterwards.
function checkInstantOp(op: Op, txId: number, instant: Date): void {
  if (op.kind === ADD && op.e === txId) {
    if (valuesEqual(op.v as Date, instant)) return;
    throw new Conflict(`two values for :db/txInstant of this transaction: ${show(instant)} and ${show(op.v, 60)}`);
  }
  if (op.kind === ADD) throw new Conflict(`:db/txInstant cannot be asserted for entity ${String(op.e)}: only a transaction states its own instant, as it is made`);
  throw new Conflict(`:db/txInstant of entity ${String(op.e)} cannot be retracted or swapped: the instants of transactions are permanent`);
}

function applyOp(w: TxWriter, op: Op): void {
  const e = op.e as number;
  const attr = op.attr!;
  switch (op.kind) {
    case ADD:
      w.add(e, attr, op.v as never, op.src);
      return;
    case RETRACT:
      w.retract(e, attr, op.v as never);
      return;
    case RETRACT_ATTR:
      w.retractAttr(e, attr);
      return;
    case CAS:
      w.cas(e, attr, op.old, op.v as never, op.src);
      return;
    default:
      w.retractEntity(e);
  }
}

// The instant given for the transaction entity, or now; never before the previous transaction's.
function txInstant(state: DbState, ops: readonly Op[], options: TxOptions, txData: TxData): Date {
  const txId = tToTx(state.basisT + 1);
  const given = ops.find((op) => op.kind === ADD && op.e === txId && op.attr!.id === DB_TX_INSTANT);
  if (given !== undefined) {
    const at = given.v as Date;
    if (at.getTime() < state.lastInstant)
      throw txError(txData, given.src, `:db/txInstant ${show(at)} is before the previous transaction's ${show(new Date(state.lastInstant))}`);
    return at;
  }
  const now = options.now ?? new Date();
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new TxError('the now option must be a valid Date', undefined, undefined);
  return now.getTime() < state.lastInstant ? new Date(state.lastInstant) : now;
}

function checkStatedTuples(w: TxWriter, stated: readonly Op[], txData: TxData): void {
  for (const op of stated) {
    const made = w.first(op.e as number, op.attr!.id);
    if (made === undefined || !valuesEqual(made.v, op.v))
      throw txError(
        txData,
        op.src,
        `composite tuple ${op.attr!.ident} is stated as ${show(op.v, 60)} but the attributes of entity ${String(op.e)} make it ${made === undefined ? 'absent' : show(made.v, 60)}; state its attributes too`,
      );
  }
}

function checkUnique(w: TxWriter, schema: Schema, txData: TxData): void {
  for (const { d, src } of w.uniqueChecks) {
    for (const other of rangeArray(w.live.avet, prefixBounds(AVET, [d.a, d.v]))) {
      if (other.e !== d.e) {
        const attr = schema.attrs.get(d.a)!;
        const hint = attr.tupleAttrs !== undefined && attr.isIdentity ? `; to upsert through composite ${attr.ident}, state its value in the transaction as well` : '';
        throw txError(txData, src, `unique conflict: ${attr.ident} ${show(d.v, 60)} is already held by entity ${other.e} (asserted for entity ${d.e})${hint}`);
      }
    }
  }
}

// An attribute made unique by this transaction must already hold distinct values.
function checkNewlyUnique(w: TxWriter, before: Schema, after: Schema, ops: readonly Op[], txData: TxData): void {
  for (const e of w.schemaTouched) {
    const attr = after.attrs.get(e);
    const was = before.attrs.get(e);
    if (attr === undefined || !attr.isUnique || was === undefined || was.isUnique) continue;
    let prev: Datom | undefined;
    for (const d of rangeArray(w.live.avet, prefixBounds(AVET, [e]))) {
      if (prev !== undefined && valuesEqual(prev.v, d.v)) {
        const src = ops.find((op) => op.kind === ADD && op.e === e && op.attr!.id === DB_UNIQUE)?.src;
        throw txError(txData, src, `cannot make ${attr.ident} unique: value ${show(d.v, 60)} is held by entities ${prev.e} and ${d.e}`);
      }
      prev = d;
    }
  }
}

function nextSchema(schema: Schema, w: TxWriter, txData: TxData): Schema {
  if (w.schemaTouched.size === 0) return schema;
  try {
    return schema.update(w.schemaTouched, (e) => w.current(e));
  } catch (e) {
    throw txError(txData, undefined, `schema change rejected: ${(e as Error).message}`, e);
  }
}
