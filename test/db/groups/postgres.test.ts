// The group failure suite on PostgreSQL: embedded PostgreSQL on loopback, or IONS_PG_URL. Storage is
// cut off through a TCP proxy, as a server that went away.
import { afterAll, beforeAll } from 'vitest';
import { postgresStorage } from '../../../runtime/db/storage-postgres/index.js';
import { startPostgres, startTcpProxy, type PostgresServer } from '../backends/servers.js';
import { groupFailures } from './group-failures.js';

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

groupFailures({
  name: 'postgres',
  multiProcess: true,
  async fresh() {
    const schema = server.freshSchema();
    const { connectionString } = server;
    return {
      // Each instance has its own pool, as separate processes would.
      storage: () => postgresStorage({ connectionString, schema }),
      spec: { kind: 'postgres', connectionString, schema },
      async partition() {
        const url = new URL(connectionString);
        const proxy = await startTcpProxy(Number(url.port));
        url.port = String(proxy.port);
        return { storage: postgresStorage({ connectionString: url.toString(), schema }), cut: () => proxy.cut(), heal: () => proxy.restore(), stop: () => proxy.stop() };
      },
    };
  },
});
