import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadService } from '../../runtime/dev/service.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ions-service-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const GROUPS = '  groups:\n    primary:\n      topology: solo\n';

describe('loadService', () => {
  it('reads the service name and the validated ions block', async () => {
    await mkdir(join(dir, 'src'));
    await writeFile(join(dir, 'src/web.ts'), 'export const handler = () => ({ status: 200 });\n');
    await writeFile(join(dir, 'serverless.yml'), `service: shop\nions:\n  app: shop-app\n${GROUPS}  lambdas:\n    web:\n      fn: src/web.handler\n`);
    expect(await loadService(dir)).toEqual({
      dir,
      name: 'shop',
      config: { app: 'shop-app', groups: { primary: { topology: 'solo' } }, lambdas: { web: { fn: 'src/web.handler' } } },
    });
  });

  it('accepts serverless.yaml too', async () => {
    await writeFile(join(dir, 'serverless.yaml'), 'service: { name: shop }\nions: { app: a }\n');
    expect((await loadService(dir)).name).toBe('shop');
  });

  it.each([
    [undefined, 'no serverless.yml in'],
    ['service: x\n', 'serverless.yml: no `ions` block'],
    ['service: x\nions: [1]\n', 'serverless.yml: `ions` must be a mapping'],
    ['service: x\nions:\n  lambdas: {}\n', 'serverless.yml: ions'],
    [`service: x\nions:\n  app: a\n${GROUPS}  lambdas:\n    web:\n      fn: src/missing.handler\n`, 'serverless.yml: ions.lambdas.web.fn'],
    ['service: x\n  bad: : indent\n', 'serverless.yml: not valid YAML'],
  ])('refuses %j clearly', async (text, message) => {
    if (text !== undefined) await writeFile(join(dir, 'serverless.yml'), text);
    await expect(loadService(dir)).rejects.toThrow(message);
  });
});
