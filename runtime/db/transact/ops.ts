// The primitive operations transaction data expands to, before and after tempids get their ids.
import type { AttrInfo } from '../schema/schema.js';
import type { Value } from '../types.js';
import type { Source } from './errors.js';

/** A tempid: named by the caller, or made for an entity map without :db/id. */
export class Temp {
  /** The entity id once resolved, -1 before. */
  id = -1;
  /** Another tempid this one was unified with (same unique identity value). */
  alias: Temp | undefined = undefined;
  /** Whether anything is asserted about it (a tempid used only as a value is an error). */
  asEntity = false;

  constructor(
    readonly name: string | undefined,
    readonly src: Source,
  ) {}

  root(): Temp {
    let t: Temp = this;
    while (t.alias !== undefined) t = t.alias;
    return t;
  }
}

export const ADD = 0;
export const RETRACT = 1;
export const RETRACT_ATTR = 2;
export const CAS = 3;
export const RETRACT_ENTITY = 4;

export class Op {
  constructor(
    readonly kind: number,
    public e: number | Temp,
    readonly attr: AttrInfo | null,
    public v: Value | Temp | undefined,
    /** cas: the expected value, undefined for "no value". */
    readonly old: Value | undefined,
    readonly src: Source,
  ) {}
}
