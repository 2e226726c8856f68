// What the crash test writes: entity n holds :crash/n = n and :crash/check = -n, so a transaction
// that is only half there shows as an entity with one attribute and not the other.
import { kw } from '../../../runtime/db/edn-names.js';
import type { TxData } from '../../../runtime/db/types.js';

const longAttr = (ident: string): Record<string, unknown> => ({
  ':db/ident': kw(ident),
  ':db/valueType': kw(':db.type/long'),
  ':db/cardinality': kw(':db.cardinality/one'),
});

export const crashSchema: TxData = [{ ...longAttr(':crash/n'), ':db/unique': kw(':db.unique/identity') }, longAttr(':crash/check')];

export function crashTx(n: number): TxData {
  return [{ ':crash/n': n, ':crash/check': -n }];
}
