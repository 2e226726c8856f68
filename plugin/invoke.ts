// `serverless ions invoke -f <lambda> (--path event.json | --data '{...}')`: the event goes through
// the real proxy code, configured as the generated proxy Lambda, to a local node running the app
// (the node of a running `ions dev` when there is one, otherwise one started for this call). The
// local runtime is imported on use, so packaging never loads it.
import { resolve } from 'node:path';
import type { IonsConfig } from '../runtime/config/ions-config.js';
import type { ServerlessOptions } from './serverless-api.js';

/** A mistake in what the user typed: reported as a Serverless user error, without a stack. */
export class UserInputError extends Error {
  override readonly name = 'UserInputError';
}

async function eventFromOptions(serviceDir: string, options: ServerlessOptions): Promise<unknown> {
  if (options.path !== undefined && options.data !== undefined) throw new UserInputError('give the event with --path or --data, not both');
  const { readEventFile } = await import('../runtime/dev/invoke.js');
  try {
    if (options.path !== undefined) return await readEventFile(resolve(serviceDir, options.path));
    return options.data === undefined ? {} : JSON.parse(options.data);
  } catch (error) {
    throw new UserInputError(options.path !== undefined ? (error as Error).message : `--data is not valid JSON (${(error as Error).message})`);
  }
}

export async function invokeIon(serviceDir: string, config: IonsConfig, options: ServerlessOptions): Promise<unknown> {
  const known = Object.keys(config.lambdas ?? {});
  if (options.function === undefined || !known.includes(options.function)) {
    throw new UserInputError(`ions invoke: no lambda ion named '${options.function}' in ions.lambdas (known: ${known.join(', ') || 'none'})`);
  }
  const event = await eventFromOptions(serviceDir, options);
  const { invokeLocal } = await import('../runtime/dev/invoke.js');
  return invokeLocal({ serviceDir, lambda: options.function, event });
}
