import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { build } from 'esbuild';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { closeNodeContext, getAppInfo, getConnection, getEnv, setNodeContext, type NodeContext } from '../../runtime/app/context.js';
import { kw } from '../../runtime/db/edn-names.js';
import { memoryStorage } from '../../runtime/db/storage/memory-storage.js';
import type { FunctionRegistry } from '../../runtime/db/types.js';
import { clearParamsCache, getParams } from '../../runtime/params/index.js';

const registry = (fns: Record<string, (...args: never[]) => unknown>): FunctionRegistry => ({ resolve: (name) => fns[name] });

function context(overrides: Partial<NodeContext> = {}): NodeContext {
  return {
    app: 'shop',
    group: 'primary',
    revision: 'r1',
    environment: { STAGE: 'test' },
    storage: memoryStorage(),
    functions: registry({}),
    local: true,
    ...overrides,
  };
}

afterEach(async () => closeNodeContext());

describe('outside a node', () => {
  it.each([
    ['getAppInfo', () => getAppInfo()],
    ['getEnv', () => getEnv()],
    ['getConnection', () => getConnection('db')],
  ])('%s says it needs a node', (name, call) => {
    expect(call).toThrow(`${name}: no ions node context; app code must run inside a node`);
  });
});

describe('inside a node', () => {
  it('tells the app who it is and hands out copies of its environment', () => {
    setNodeContext(context());
    expect(getAppInfo()).toEqual({ app: 'shop', group: 'primary', revision: 'r1' });
    const env = getEnv();
    env.STAGE = 'changed';
    expect(getEnv()).toEqual({ STAGE: 'test' });
  });

  it('follows a swap', () => {
    setNodeContext(context());
    setNodeContext(context({ revision: 'r2', environment: { STAGE: 'next' } }));
    expect(getAppInfo().revision).toBe('r2');
    expect(getEnv()).toEqual({ STAGE: 'next' });
  });

  it('shares one context with the copy a revision bundle carries', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ions-context-copy-'));
    try {
      const outfile = join(dir, 'context-copy.mjs');
      await build({ entryPoints: [join(import.meta.dirname, '../../runtime/app/context.ts')], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'silent' });
      const copy = (await import(/* @vite-ignore */ pathToFileURL(outfile).href)) as typeof import('../../runtime/app/context.js');
      expect(copy.getAppInfo).not.toBe(getAppInfo);
      setNodeContext(context({ revision: 'seen-by-copy' }));
      expect(copy.getAppInfo().revision).toBe('seen-by-copy');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('opens one connection per database name and keeps it', async () => {
    setNodeContext(context());
    const a = await getConnection('orders');
    expect(await getConnection('orders')).toBe(a);
    expect(await getConnection('users')).not.toBe(a);
    expect(() => getConnection('')).toThrow('getConnection: dbName must be a non-empty string');
  });

  it('runs transaction functions of whichever revision is current', async () => {
    const storage = memoryStorage();
    const add = (version: string) => (_db: unknown, id: string) => [{ ':item/id': id, ':item/version': version }];
    setNodeContext(context({ storage, functions: registry({ 'src/fns.add': add('r1') }) }));
    const conn = await getConnection('items');
    await conn.transact([
      { ':db/ident': kw(':item/id'), ':db/valueType': kw(':db.type/string'), ':db/cardinality': kw(':db.cardinality/one'), ':db/unique': kw(':db.unique/identity') },
      { ':db/ident': kw(':item/version'), ':db/valueType': kw(':db.type/string'), ':db/cardinality': kw(':db.cardinality/one') },
    ]);
    await conn.transact([['src/fns.add', 'a']]);
    setNodeContext(context({ storage, revision: 'r2', functions: registry({ 'src/fns.add': add('r2') }) }));
    expect(await getConnection('items')).toBe(conn);
    await conn.transact([['src/fns.add', 'b']]);
    const version = (id: string) => conn.db().entity([kw(':item/id'), id])?.get(':item/version');
    expect([version('a'), version('b')]).toEqual(['r1', 'r2']);
  });

  it('gives getParams the configured parameters path', async () => {
    const ssm = mockClient(SSMClient);
    clearParamsCache();
    ssm.on(GetParametersByPathCommand, { Path: '/shop/test/' }).resolves({ Parameters: [{ Name: '/shop/test/key', Value: 'v' }] });
    setNodeContext(context({ parametersPath: '/shop/test/' }));
    expect(await getParams({ client: new SSMClient({ region: 'us-east-1' }) })).toEqual({ key: 'v' });
    ssm.restore();
  });
});
