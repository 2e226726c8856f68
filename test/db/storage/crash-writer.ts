// The writer the crash test kills: connects to the file storage in argv[2], makes sure the schema is
// there, then runs concurrent writers transacting entities numbered from argv[3] upward, printing
// `ack N` for each transaction once transact resolved (stdout is a pipe, written synchronously).
import { redirect, stderrSink } from '../../../runtime/cast/index.js';
import { connect } from '../../../runtime/db/connection.js';
import { kw } from '../../../runtime/db/edn-names.js';
import { fileStorage } from '../../../runtime/db/storage/index.js';
import { crashSchema, crashTx } from './crash-data.js';

const [dir, startText, writersText] = process.argv.slice(2);
redirect(stderrSink);
const conn = await connect({ storage: fileStorage(dir!), db: 'crash', checkpoint: { everyTransactions: 40 } });
if (conn.db().entid(kw(':crash/n')) === undefined) await conn.transact(crashSchema);
process.stdout.write('ready\n');
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
