// `ions node` refuses, by name, an environment or a stack config that does not fit the revision it
// is given, before it serves anything; and it never shows a parameter's value in an error.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runNode } from '../../runtime/cli/node-command.js';
import { mockSsm, SECRET, workspace, type Parameter, type Workspace } from './deployed-node.js';
import { notesConfig } from './stack.js';

describe('ions node', () => {
  let files: Workspace;
  let ssm: ReturnType<typeof mockSsm> | undefined;
  beforeAll(async () => {
    files = await workspace();
  });
  afterEach(() => {
    ssm?.restore();
    ssm = undefined;
    vi.unstubAllEnvs();
  });
  afterAll(() => files.cleanup());

  const start = (env: Record<string, string>, parameters: Record<string, Parameter> = {}) => {
    vi.stubEnv('AWS_REGION', 'us-east-1');
    ssm = mockSsm(parameters);
    return runNode({ revisionDir: files.revisionDir, port: 0, host: '127.0.0.1', dataDir: files.dataDir, env: { AWS_REGION: 'us-east-1', IONS_SECRET: SECRET, ...env }, log: () => undefined });
  };
  const stackConfig = (storage: unknown, app = 'notes'): Parameter => ({ value: JSON.stringify({ ...notesConfig(), app, storage }), secure: false });

  it('serves on the port of IONS_PORT when not given one', async () => {
    const node = await runNode({ revisionDir: files.revisionDir, host: '127.0.0.1', dataDir: files.dataDir, env: { IONS_SECRET: SECRET, IONS_PORT: '0' }, log: () => undefined });
    expect(node.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(node.url).not.toMatch(/:8182$/);
    await node.close();
  });

  it.each([
    [{ IONS_APP: 'billing' }, {}, /is of app notes, but this node serves IONS_APP=billing$/],
    [{ IONS_CONFIG_PARAMETER: '/c' }, { '/c': stackConfig(undefined, 'billing') }, /but the stack's config \(\/c\) is of app billing$/],
    [{ IONS_CONFIG_PARAMETER: '/c' }, { '/c': { value: 'not json', secure: false } }, /^SSM parameter \/c \(IONS_CONFIG_PARAMETER\) is not JSON/],
    [{ IONS_CONFIG_PARAMETER: '/c' }, {}, /^cannot read SSM parameter \/c \(the stack's ions config, named by IONS_CONFIG_PARAMETER\): ParameterNotFound/],
    [
      { IONS_CONFIG_PARAMETER: '/c', IONS_STORAGE: 'dynamodb', IONS_LOG_TABLE: 't', IONS_SEGMENTS_BUCKET: 'b' },
      { '/c': stackConfig({ type: 'file' }) },
      /^IONS_STORAGE=dynamodb, but ions.storage.type in SSM parameter \/c is file/,
    ],
    [{ IONS_CONFIG_PARAMETER: '/c', IONS_STORAGE: 'postgres' }, { '/c': stackConfig({ type: 'postgres' }) }, /^postgres storage needs ions.storage.urlParameter in SSM parameter \/c/],
    [{ IONS_CONFIG_PARAMETER: '/c' }, { '/c': stackConfig({ type: 'dynamodb' }) }, /^dynamodb storage \(SSM parameter \/c\) needs IONS_STORAGE=dynamodb, IONS_LOG_TABLE and IONS_SEGMENTS_BUCKET/],
  ])('refuses %j', async (env, parameters, message) => {
    await expect(start(env, parameters)).rejects.toThrow(message);
  });

  it('names the URL parameter it could not read, never its value', async () => {
    const config = stackConfig({ type: 'postgres', urlParameter: '/db-url' });
    const refused = start({ IONS_CONFIG_PARAMETER: '/c', IONS_STORAGE: 'postgres' }, { '/c': config, '/db-url': { value: '', secure: true } });
    await expect(refused).rejects.toThrow(/^SSM parameter \/db-url \(the PostgreSQL connection URL\) has no value$/);
  });
});
