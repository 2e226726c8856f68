// The forwarder for a follower whose primary runs in the same process (local and dev mode, tests);
// across nodes the transport sends the same request over the signed protocol instead.
import type { Connection } from '../connection.js';
import type { Forwarder } from './follower.js';

export function localForwarder(primary: Connection): Forwarder {
  return async ({ db, txData }) => {
    if (db !== primary.name) throw new Error(`transaction for ${db} forwarded to the primary of ${primary.name}`);
    const report = await primary.transact(txData);
    return { t: report.dbAfter.basisT, tempids: report.tempids };
  };
}
