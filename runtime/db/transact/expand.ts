// Transaction data (list forms, entity maps, transaction function calls) to primitive ops. Entity
// references are resolved against the database before the transaction: ids, idents and lookup refs
// become ids, strings become tempids, nested maps become entities of their own.
import { Keyword, Sym } from '../edn-names.js';
import type { Db } from '../db/database.js';
import { asKeyword, resolveEntity } from '../db/resolve-ref.js';
import type { AttrInfo } from '../schema/schema.js';
import type { FunctionRegistry, Value } from '../types.js';
import { coerceScalar, coerceValue } from '../values/coerce.js';
import { show } from '../values/show.js';
import { type Source, TxError, txError } from './errors.js';
import { ADD, CAS, Op, RETRACT, RETRACT_ATTR, RETRACT_ENTITY, Temp } from './ops.js';

const TX_TEMPID = 'datomic.tx';
const MAX_FUNCTION_DEPTH = 64;

/** Thrown inside expansion; becomes a TxError naming the op. */
class Failure extends Error {}

function fail(message: string): never {
  throw new Failure(message);
}

const BUILTIN_OPS: ReadonlyMap<string, string> = new Map([
  [':db/add', 'add'],
  [':db/retract', 'retract'],
  [':db/cas', 'cas'],
  [':db.fn/cas', 'cas'],
  [':db/retractEntity', 'retractEntity'],
  [':db.fn/retractEntity', 'retractEntity'],
]);

export class Expander {
  readonly ops: Op[] = [];
  readonly temps = new Map<string, Temp>();
  /** Every tempid, named or not, in order of first appearance. */
  readonly allTemps: Temp[] = [];
  private src: Source = { index: 0, note: '' };

  constructor(
    private readonly db: Db,
    private readonly txId: number,
    private readonly functions: FunctionRegistry,
    private readonly txData: readonly unknown[],
  ) {}

  expandAll(): void {
    const txData = this.txData;
    if (!Array.isArray(txData)) throw new TxError(`tx data must be an array of ops and entity maps, got ${show(txData, 60)}`, undefined, undefined);
    for (let i = 0; i < txData.length; i++) {
      this.src = { index: i, note: '' };
      this.item(txData[i], 0);
    }
  }

  private item(x: unknown, depth: number): void {
    try {
      if (Array.isArray(x)) this.list(x, depth);
      else if (x instanceof Map || isPlainObject(x)) this.entityMap(x as Map<unknown, unknown> | Record<string, unknown>);
      else fail(`each tx data item is a list op (an array) or an entity map (an object or Map), got ${show(x, 60)}`);
    } catch (e) {
      if (e instanceof Failure) throw txError(this.txData, this.src, e.message);
      throw e;
    }
  }

  private list(x: readonly unknown[], depth: number): void {
    const head = x[0];
    const name = head instanceof Keyword ? head.toString() : head instanceof Sym ? head.name : typeof head === 'string' ? head : undefined;
    if (name === undefined) fail(`an op starts with its name (':db/add', a Keyword or a function name), got ${show(head, 60)}`);
    const builtin = BUILTIN_OPS.get(name);
    switch (builtin) {
      case 'add': {
        if (x.length !== 4) fail(`${name} takes [op, e, a, v], got ${x.length} elements`);
        const attr = this.attribute(x[2]);
        const e = this.entity(x[1], true);
        this.push(new Op(ADD, e, attr, this.value(attr, x[3]), undefined, this.src));
        return;
      }
      case 'retract': {
        if (x.length !== 3 && x.length !== 4) fail(`${name} takes [op, e, a] or [op, e, a, v], got ${x.length} elements`);
        const attr = this.attribute(x[2]);
        const e = this.existing(x[1]);
        if (x.length === 3) this.ops.push(new Op(RETRACT_ATTR, e, attr, undefined, undefined, this.src));
        else this.ops.push(new Op(RETRACT, e, attr, this.existingValue(attr, x[3]), undefined, this.src));
        return;
      }
      case 'cas': {
        if (x.length !== 5) fail(`${name} takes [op, e, a, old, new], got ${x.length} elements`);
        const attr = this.attribute(x[2]);
        if (attr.isMany) fail(`${name} needs a cardinality-one attribute, ${attr.ident} is cardinality many`);
        const e = this.existing(x[1]);
        const old = x[3] === null || x[3] === undefined ? undefined : this.existingValue(attr, x[3]);
        this.ops.push(new Op(CAS, e, attr, this.existingValue(attr, x[4]), old, this.src));
        return;
      }
      case 'retractEntity': {
        if (x.length !== 2) fail(`${name} takes [op, e], got ${x.length} elements`);
        this.ops.push(new Op(RETRACT_ENTITY, this.existing(x[1]), null, undefined, undefined, this.src));
        return;
      }
      default:
        this.call(name, head, x.slice(1), depth);
    }
  }

  // A transaction function: called with the database before the transaction; its tx data is expanded
  // in place of the call.
  private call(name: string, head: unknown, args: unknown[], depth: number): void {
    if (depth >= MAX_FUNCTION_DEPTH) fail(`transaction functions nested deeper than ${MAX_FUNCTION_DEPTH} calls`);
    const lookupName = head instanceof Keyword ? head.fqn : name;
    const fn = this.functions.resolve(lookupName);
    if (fn === undefined) fail(`${name} is neither a built-in op nor an allow-listed transaction function`);
    let result: unknown;
    try {
      result = (fn as unknown as (...a: unknown[]) => unknown)(this.db, ...args);
    } catch (e) {
      throw txError(this.txData, this.src, `transaction function ${name} threw: ${e instanceof Error ? e.message : String(e)}`, e);
    }
    if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function')
      fail(`transaction function ${name} returned a Promise; transaction functions must be synchronous`);
    if (!Array.isArray(result)) fail(`transaction function ${name} must return tx data (an array), got ${show(result, 60)}`);
    const outer = this.src;
    for (let i = 0; i < result.length; i++) {
      this.src = { index: outer.index, note: `${outer.note} > ${name} result ${i} ${show(result[i], 80)}` };
      this.item(result[i], depth + 1);
    }
    this.src = outer;
  }

  private entityMap(m: Map<unknown, unknown> | Record<string, unknown>): number | Temp {
    const entries: [unknown, unknown][] = m instanceof Map ? [...m] : Object.entries(m);
    let e: number | Temp | undefined;
    for (const [k, v] of entries) if (asKeyword(k)?.toString() === ':db/id') e = this.entity(v, true);
    e ??= this.newTemp(undefined);
    for (const [k, v] of entries) {
      const key = asKeyword(k);
      if (key === undefined) fail(`entity map keys are ':ns/name' strings or Keywords, got ${show(k, 60)}`);
      if (key.toString() === ':db/id') continue;
      if (key.name.startsWith('_') && key.name.length > 1) {
        const attr = this.attribute(Keyword.of(`${key.ns === undefined ? '' : `${key.ns}/`}${key.name.slice(1)}`), key);
        if (!attr.isRef) fail(`${key} walks ${attr.ident} backwards, but it is not a ref attribute`);
        for (const x of this.refsOf(v)) this.push(new Op(ADD, this.refValue(attr, x, key), attr, e, undefined, this.src));
        continue;
      }
      const attr = this.attribute(key);
      if (v === null || v === undefined) fail(`${attr.ident} has no value (${String(v)}); to remove a value, retract it`);
      const values = !attr.isMany ? [v] : attr.isRef ? this.refsOf(v) : v instanceof Set || (Array.isArray(v) && (attr.valueType !== 'tuple' || Array.isArray(v[0]))) ? manyOf(v) : [v];
      for (const x of values) this.push(new Op(ADD, e, attr, this.value(attr, x), undefined, this.src));
    }
    return e;
  }

  // Several refs, or one: an array [uniqueAttr, value] is one lookup ref, not two refs.
  private refsOf(v: unknown): unknown[] {
    if (Array.isArray(v) && v.length === 2 && !Array.isArray(v[0])) {
      const k = asKeyword(v[0]);
      if (k !== undefined && this.db.state.schema.attrByIdent(k)?.isUnique === true) return [v];
    }
    return manyOf(v);
  }

  private push(op: Op): void {
    if (op.e instanceof Temp) op.e.asEntity = true;
    this.ops.push(op);
  }

  private newTemp(name: string | undefined): Temp {
    const t = new Temp(name, this.src);
    this.allTemps.push(t);
    return t;
  }

  private attribute(x: unknown, shownAs?: unknown): AttrInfo {
    const state = this.db.state;
    if (typeof x === 'number') {
      const attr = state.schema.attrs.get(x);
      if (attr === undefined) fail(`entity ${x} is not an attribute`);
      return attr;
    }
    const k = asKeyword(x);
    if (k === undefined) fail(`an attribute is a ':ns/name' string, a Keyword or an attribute id, got ${show(x, 60)}`);
    const attr = state.schema.attrByIdent(k);
    if (attr === undefined) fail(`unknown attribute ${String(shownAs ?? k)} (install it in an earlier transaction)`);
    return attr;
  }

  /** An entity in e position: may be a tempid (new or upserted entity). */
  private entity(x: unknown, allowNew: boolean): number | Temp {
    if (typeof x === 'number') {
      if (!Number.isSafeInteger(x) || x < 0) fail(`entity ids are non-negative integers, got ${x}`);
      if (x > this.txId) fail(`entity id ${x} is not in use (transaction ids are at most ${this.txId})`);
      return x;
    }
    if (typeof x === 'string') {
      if (x === TX_TEMPID) return this.txId;
      if (x.startsWith(':')) fail(`${JSON.stringify(x)} in an entity position reads like a keyword; use kw(${JSON.stringify(x)}) for an ident, or a tempid without a leading colon`);
      if (!allowNew) fail(`tempid ${JSON.stringify(x)} cannot be used here: it names no existing entity`);
      let t = this.temps.get(x);
      if (t === undefined) {
        t = this.newTemp(x);
        this.temps.set(x, t);
      }
      return t;
    }
    if (x instanceof Temp) return x;
    if (x instanceof Keyword || Array.isArray(x)) {
      let id: number | undefined;
      try {
        id = resolveEntity(this.db.state, x);
      } catch (e) {
        fail((e as Error).message);
      }
      if (id === undefined) fail(x instanceof Keyword ? `unknown ident ${x}` : `lookup ref ${show(x, 80)} names no entity`);
      return id;
    }
    fail(`an entity is an id, a tempid string, an ident Keyword or a lookup ref [attr, value], got ${show(x, 60)}`);
  }

  private existing(x: unknown): number {
    return this.entity(x, false) as number;
  }

  /**
   * A value asserted for a ref attribute (or, with `reverseKey`, walked backwards): an entity
   * reference or a nested entity map. As in Datomic (:db.error/invalid-nested-entity), a nested map
   * must be a component of the entity holding it or carry a unique attribute, so that no entity is
   * made that nothing identifies or owns. Under a reverse ref the nested map is the entity that
   * refers, not a component of this one, so only a unique attribute admits it.
   */
  private refValue(attr: AttrInfo, x: unknown, reverseKey?: Keyword): number | Temp {
    if (!(x instanceof Map || isPlainObject(x))) return this.entity(x, true);
    const m = x as Map<unknown, unknown> | Record<string, unknown>;
    if ((reverseKey !== undefined || !attr.isComponent) && !this.hasUniqueKey(m))
      fail(
        `invalid nested entity ${show(m, 80)} under ${String(reverseKey ?? attr.ident)}: a nested entity map must be the value of a component attribute${reverseKey === undefined ? '' : ' (never under a reverse ref)'} or carry a unique attribute to upsert by`,
      );
    return this.entityMap(m);
  }

  private hasUniqueKey(m: Map<unknown, unknown> | Record<string, unknown>): boolean {
    for (const k of m instanceof Map ? m.keys() : Object.keys(m)) {
      const key = asKeyword(k);
      if (key !== undefined && this.db.state.schema.attrByIdent(key)?.isUnique === true) return true;
    }
    return false;
  }

  private value(attr: AttrInfo, x: unknown): Value | Temp {
    if (attr.isRef) return this.refValue(attr, x);
    return this.scalar(attr, x, true);
  }

  private existingValue(attr: AttrInfo, x: unknown): Value {
    if (attr.isRef) return this.existing(x);
    return this.scalar(attr, x, false);
  }

  // Ref elements of tuples resolve like any ref position: ids, idents, lookup refs, and (when the
  // value is asserted) tempids. The resulting tuple may hold Temps until tempids get their ids.
  private scalar(attr: AttrInfo, x: unknown, allowNew: boolean): Value {
    if (attr.tupleAttrs !== undefined && attr.isIdentity && allowNew) return this.compositeIdentity(attr, x);
    try {
      if (attr.valueType !== 'tuple') return coerceValue(attr, x);
      return coerceValue(attr, x, (el, what) => this.tupleRef(el, what, allowNew));
    } catch (e) {
      if (e instanceof Failure) throw e;
      fail((e as Error).message);
    }
  }

  private tupleRef(x: unknown, what: string, allowNew: boolean): number | Temp {
    try {
      return this.entity(x, allowNew);
    } catch (e) {
      if (e instanceof Failure) fail(`${what}: ${e.message}`);
      throw e;
    }
  }

  /**
   * The value of a unique-identity composite tuple, given explicitly to upsert by. Datomic upserts
   * through a composite tuple only when the transaction states the tuple's value: given only the
   * component attributes, the tuple is computed after tempids are resolved, so a new entity is made
   * and its tuple is a unique conflict. We match that; the stated value identifies the entity and
   * must then equal the value its attributes make (checked after the tuples are maintained).
   */
  private compositeIdentity(attr: AttrInfo, x: unknown): Value {
    const parts = attr.tupleAttrs!;
    const what = attr.ident.toString();
    if (!Array.isArray(x) || x.length !== parts.length)
      fail(`${what} is a composite tuple of ${parts.length} attributes: to upsert by it, give its value as an array of ${parts.length} elements, got ${show(x, 60)}`);
    return x.map((el: unknown, i: number) => {
      if (el === null) return null;
      const part = this.db.state.schema.attrs.get(parts[i]!)!;
      const at = `${what} element ${i} (${part.ident})`;
      if (part.isRef) return this.tupleRef(el, at, true);
      try {
        return coerceScalar(part.valueType, el, at);
      } catch (e) {
        fail((e as Error).message);
      }
    }) as unknown as Value;
  }
}

function manyOf(v: unknown): unknown[] {
  if (v instanceof Set) return [...v];
  if (Array.isArray(v)) return v;
  return [v];
}

function isPlainObject(x: unknown): boolean {
  if (x === null || typeof x !== 'object') return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}
