// Index components as callers give them (idents, ':attr' strings, lookup refs) turned into what the
// indexes hold. The common case, plain numbers and strings, goes through untouched.
import type { IndexName } from '../types.js';
import type { AttrInfo } from '../schema/schema.js';
import { attrOf, resolveEntity } from './resolve-ref.js';
import type { DbState } from './state.js';

// Which component is the entity, the attribute, the value and tx, per index.
const ROLES: Readonly<Record<IndexName, readonly ('e' | 'a' | 'v' | 't')[]>> = {
  eavt: ['e', 'a', 'v', 't'],
  aevt: ['a', 'e', 'v', 't'],
  avet: ['a', 'v', 'e', 't'],
  vaet: ['v', 'a', 'e', 't'],
};

/**
 * Resolved components, or undefined when one names nothing (the scan is then empty). Resolves in
 * place: callers pass their own rest-parameter array.
 */
export function resolveComponents(state: DbState, index: IndexName, out: unknown[]): unknown[] | undefined {
  if (out.length > 4) throw new TypeError(`${index} has 4 components, got ${out.length}`);
  const roles = ROLES[index];
  let attr: AttrInfo | undefined;
  for (let i = 0; i < out.length; i++) {
    const role = roles[i]!;
    const c = out[i];
    if (role === 'a') {
      if (typeof c === 'number') continue;
      attr = attrOf(state, c);
      if (attr === undefined) return undefined;
      out[i] = attr.id;
    } else if (role === 'e' || role === 't' || (role === 'v' && index === 'vaet')) {
      if (typeof c === 'number') continue;
      const id = resolveEntity(state, c);
      if (id === undefined) return undefined;
      out[i] = id;
    } else if (role === 'v' && typeof c !== 'number' && typeof c !== 'string') {
      attr ??= attrOf(state, out[roles.indexOf('a')]);
      if (attr?.isRef) {
        const id = resolveEntity(state, c);
        if (id === undefined) return undefined;
        out[i] = id;
      } else if (typeof c === 'bigint' && c >= BigInt(Number.MIN_SAFE_INTEGER) && c <= BigInt(Number.MAX_SAFE_INTEGER) && attr?.valueType === 'long') {
        out[i] = Number(c);
      }
    }
  }
  return out;
}
