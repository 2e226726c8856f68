// Every index of a database value as comparable text, read through withSegments so that lazy,
// segment-backed values and fully loaded ones compare alike. The live sets are read as readers see
// them: a value made by transactions holds its recent :db/txInstant datoms beside its trees.
import type { Db } from '../../../runtime/db/index.js';
import { type Bounds, type Node, toArray } from '../../../runtime/db/index/btree.js';
import { liveArray } from '../../../runtime/db/db/live.js';
import { withSegments } from '../../../runtime/db/segments/index.js';
import { INDEX_NAMES } from '../../../runtime/db/segments/segment-codec.js';
import type { Datom } from '../../../runtime/db/types.js';

const EVERYTHING: Bounds<Datom> = { seek: () => 0, stop: () => false };
const datomsText = (ds: readonly Datom[]): string => ds.map((d) => `${d.e} ${d.a} ${String(d.v)} ${d.tx} ${d.added}`).join('\n');

export async function treesAsText(db: Db): Promise<Record<string, string>> {
  return withSegments(() => {
    const out: Record<string, string> = {};
    for (const name of INDEX_NAMES) {
      out[`live ${name}`] = datomsText(liveArray(db.state, name, EVERYTHING));
      out[`history ${name}`] = datomsText(toArray(db.state.history[name] as Node<Datom>));
    }
    return out;
  });
}
