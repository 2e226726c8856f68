import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { invokeIon, UserInputError } from '../../plugin/invoke.js';
import type { IonsConfig } from '../../runtime/config/ions-config.js';

const serviceDir = fileURLToPath(new URL('./fixtures/modules/', import.meta.url));
const config: IonsConfig = { app: 'shop', groups: { main: { topology: 'solo' } }, lambdas: { web: { fn: 'src/web.handler' }, jobs: { fn: 'src/fns.signup' } } };

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(UserInputError);
      return (error as Error).message;
    },
  );

// The successful path runs through the real CLIs (cli.test.ts); these are the input mistakes, caught
// before any node starts.
describe('serverless ions invoke input', () => {
  it('names the known lambdas when given an unknown one', async () => {
    expect(await rejection(invokeIon(serviceDir, config, { function: 'nope' }))).toBe(
      "ions invoke: no lambda ion named 'nope' in ions.lambdas (known: web, jobs)",
    );
  });

  it('refuses an event given twice', async () => {
    expect(await rejection(invokeIon(serviceDir, config, { function: 'web', path: 'e.json', data: '{}' }))).toBe(
      'give the event with --path or --data, not both',
    );
  });

  it('refuses inline data that is not JSON', async () => {
    expect(await rejection(invokeIon(serviceDir, config, { function: 'web', data: '{nope' }))).toMatch(/^--data is not valid JSON \(/);
  });

  it('refuses a missing event file, naming it', async () => {
    expect(await rejection(invokeIon(serviceDir, config, { function: 'web', path: 'missing.json' }))).toBe(
      `cannot read the event file ${serviceDir}missing.json: ENOENT`,
    );
  });
});
