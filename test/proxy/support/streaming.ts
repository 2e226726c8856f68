// The streaming fixture service's config, and a port nothing listens on.
import { createServer } from 'node:net';
import type { IonsConfig } from '../../../runtime/config/ions-config.js';

export function streamConfig(overrides: Partial<IonsConfig> = {}): IonsConfig {
  return {
    app: 'stream-app',
    groups: { primary: { topology: 'solo' } },
    lambdas: {
      stream: { fn: 'src/stream.handler', integration: 'api-gateway', url: true, streaming: true },
      // One slot, for the tests that check a stopped stream gives its slot back.
      narrow: { fn: 'src/stream.handler', integration: 'api-gateway', concurrency: 1 },
      plain: { fn: 'src/stream.plain' },
    },
    ...overrides,
  };
}

/** A loopback port with nothing listening on it. */
export async function deadEndpoint(): Promise<string> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}
