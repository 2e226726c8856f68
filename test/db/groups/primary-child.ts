// The primary the failure suite kills: opens the storage described by the StorageSpec in the
// environment, becomes the primary of database 'groups' (lease of argv[3] ms), makes sure the schema
// is there, prints `lease <epoch>` and `ready`, then runs argv[2] concurrent writers transacting
// entities numbered from argv[4] upward, printing `ack N` once each transaction resolved.
import { redirect, stderrSink } from '../../../runtime/cast/index.js';
import { kw } from '../../../runtime/db/edn-names.js';
import { startPrimary } from '../../../runtime/db/lease/index.js';
import { crashSchema, crashTx } from '../storage/crash-data.js';
import { openSpec, SPEC_ENV, type StorageSpec } from './storage-spec.js';

const [writersText, leaseMsText, startText] = process.argv.slice(2);
redirect(stderrSink);
const primary = await startPrimary({
  storage: openSpec(JSON.parse(process.env[SPEC_ENV]!) as StorageSpec),
  db: 'groups',
  leaseMs: Number(leaseMsText),
  checkpoint: { everyTransactions: 40 },
});
const lease = await primary.whenPrimary(10_000);
const conn = primary.connection;
if (conn.db().entid(kw(':crash/n')) === undefined) await conn.transact(crashSchema);
process.stdout.write(`lease ${lease.epoch}\nready\n`);
let next = Number(startText);
await Promise.all(
  Array.from({ length: Number(writersText) }, async () => {
    for (;;) {
      const n = next++;
      await conn.transact(crashTx(n));
      process.stdout.write(`ack ${n}\n`);
    }
  }),
);
