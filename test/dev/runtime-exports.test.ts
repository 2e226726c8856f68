// serverless-ions/runtime is an explicit list; this pins it, so a name never disappears by accident.
import { describe, expect, it } from 'vitest';
import * as runtime from '../../runtime/index.js';

describe('serverless-ions/runtime', () => {
  it('exports the app-facing, hosting and datom store API', () => {
    expect(Object.keys(runtime).sort()).toEqual(
      [
        'alert', 'dev', 'event', 'metric', 'redirect', 'fileSink', 'stderrSink', 'stdoutSink', 'tapSink',
        'getAppInfo', 'getConnection', 'getEnv', 'getParams', 'clearParamsCache', 'setLocalParams',
        'startNode', 'startDev',
        'Keyword', 'Sym', 'kw', 'sym', 'Decimal', 'Uuid', 'decimal', 'uuid', 'emptyDb', 'dbFromDatoms', 'transact', 'TxError', 'pull', 'pullMany',
        'q', 'QueryError', 'readEdn', 'readEdnAll', 'printEdn', 'connect', 'fileStorage', 'memoryStorage',
        'postgresStorage', 'dynamoStorage', 'dynamoTableDefinition',
        'startPrimary', 'NotPrimaryError', 'follow', 'localForwarder', 'remoteForwarder', 'ForwardError', 'SyncTimeoutError',
        'collectGarbage', 'DiskCache', 'openSegmentDb', 'replayTail', 'SegmentCache', 'SegmentMissingError', 'startSegmentUpkeep', 'withSegments',
      ].sort(),
    );
  });

  it('works end to end from its own exports: store, transact, query', async () => {
    const { connect, memoryStorage, kw, q } = runtime;
    const storage = memoryStorage();
    const conn = await connect({ storage, db: 'api' });
    await conn.transact([{ ':db/ident': kw(':person/name'), ':db/valueType': kw(':db.type/string'), ':db/cardinality': kw(':db.cardinality/one') }]);
    await conn.transact([{ ':person/name': 'Ada' }]);
    expect(q('[:find [?n ...] :where [_ :person/name ?n]]', conn.db())).toEqual(['Ada']);
    await conn.close();
    await storage.close();
  });
});
