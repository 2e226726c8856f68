// `ions dev` on a small service written by the test: what app code sees of its node (app info,
// environment, local parameters) through the copy of the runtime its revision bundles, and
// HTTP-direct requests passed from the local gateway to the node.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDev, type DevServer } from '../../runtime/dev/dev.js';

const repo = resolve(import.meta.dirname, '../..');
let dir: string;
let dev: DevServer;

const SERVERLESS_YML = `service: fixture
ions:
  app: fixture
  groups:
    main:
      topology: solo
  environment:
    GREETING_STYLE: loud
  parametersPath: /fixture/dev/
  lambdas:
    info:
      fn: src/info.handler
      integration: api-gateway
      events:
        - httpApi: GET /info
  httpDirect:
    handler: src/info.direct
`;

const INFO_TS = `import { getAppInfo, getEnv, getParams } from '${repo}/runtime/index.js';
export const handler = async () => ({ status: 200, body: { app: getAppInfo(), env: getEnv(), params: await getParams() } });
export const direct = async (req: { requestMethod: string; uri: string }) => ({ status: 200, body: { direct: req.requestMethod + ' ' + req.uri } });
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ions-fixture-'));
  await mkdir(join(dir, 'src'));
  await symlink(join(repo, 'node_modules'), join(dir, 'node_modules'));
  await writeFile(join(dir, 'serverless.yml'), SERVERLESS_YML);
  await writeFile(join(dir, 'src/info.ts'), INFO_TS);
  await writeFile(join(dir, 'params.local.json'), JSON.stringify({ '/fixture/dev/greeting': 'hello', '/elsewhere/secret': 'not for this app' }));
  dev = await startDev({ serviceDir: dir, port: 0, log: () => {} });
});
afterAll(async () => {
  await dev?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const info = async () => (await (await fetch(`${dev.url}/info`)).json()) as { app: { revision: string }; env: unknown; params: unknown };

describe('ions dev: the node as app code sees it', () => {
  it('gives the app its info, environment and local parameters', async () => {
    expect(await info()).toEqual({
      app: { app: 'fixture', group: 'main', revision: dev.revision() },
      env: { GREETING_STYLE: 'loud' },
      params: { greeting: 'hello' },
    });
  });

  it('passes requests no lambda route serves to the HTTP-direct handler', async () => {
    const res = await fetch(`${dev.url}/anything/else`, { method: 'DELETE' });
    expect(await res.json()).toEqual({ direct: 'delete /anything/else' });
  });

  it('takes up a change of params.local.json with the next revision', async () => {
    const before = dev.revision();
    await writeFile(join(dir, 'params.local.json'), JSON.stringify({ '/fixture/dev/greeting': 'bonjour' }));
    const deadline = Date.now() + 15_000;
    while (dev.revision() === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await dev.settled();
    expect(await info()).toMatchObject({ app: { revision: dev.revision() }, params: { greeting: 'bonjour' } });
  });
});
