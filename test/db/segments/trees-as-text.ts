// Every index tree of a database value as comparable text, read through withSegments so that lazy,
// segment-backed values and fully loaded ones compare alike.
import type { Db } from '../../../runtime/db/index.js';
import { type Node, toArray } from '../../../runtime/db/index/btree.js';
import { withSegments } from '../../../runtime/db/segments/index.js';
import { INDEX_NAMES } from '../../../runtime/db/segments/segment-codec.js';
import type { Datom } from '../../../runtime/db/types.js';

const datomsText = (ds: readonly Datom[]): string => ds.map((d) => `${d.e} ${d.a} ${String(d.v)} ${d.tx} ${d.added}`).join('\n');

export async function treesAsText(db: Db): Promise<Record<string, string>> {
  return withSegments(() => {
    const out: Record<string, string> = {};
    for (const name of INDEX_NAMES) {
      out[`live ${name}`] = datomsText(toArray(db.state.live[name] as Node<Datom>));
      out[`history ${name}`] = datomsText(toArray(db.state.history[name] as Node<Datom>));
    }
    return out;
  });
}
