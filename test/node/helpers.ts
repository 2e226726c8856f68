// Shared by the node and proxy suites: fixture configs, revisions built into temp dirs, and a client
// that speaks the signed invoke protocol over real loopback HTTP.
import { mkdtemp, rm } from 'node:fs/promises';
import { request, type Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IonsConfig } from '../../runtime/config/ions-config.js';
import { signedHeaders } from '../../runtime/protocol/signing.js';
import { invokePath, type InvokeBody } from '../../runtime/protocol/wire.js';
import { buildRevision } from '../../runtime/revision/index.js';

export const SECRET = 'node-test-secret';

export const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

export function configA(overrides: Partial<IonsConfig> = {}): IonsConfig {
  return {
    app: 'fixture-app',
    groups: { primary: { topology: 'solo' } },
    lambdas: {
      web: { fn: 'src/web.handler', integration: 'api-gateway' },
      consume: { fn: 'src/events.consume' },
      slow: { fn: 'src/events.slow', concurrency: 2 },
      // The same ion without the tight limit, for tests that leave slow calls running behind them.
      sleepy: { fn: 'src/events.slow' },
      explode: { fn: 'src/events.explode' },
      info: { fn: 'src/info.appInfo' },
      // A web ion whose module exports the bare ring handler: the node ionizes it.
      bare: { fn: 'src/direct.handler', integration: 'api-gateway' },
      wrapped: { fn: 'src/events.wrapped' },
    },
    httpDirect: { handler: 'src/direct.handler', processingConcurrency: 2, pendingOps: 3, throttleStatus: 503, throttleMessage: 'too busy' },
    allow: ['src/fns.add'],
    environment: { STAGE: 'test' },
    ...overrides,
  };
}

/** Service B has no HTTP-direct handler, no allow list, and so no web ion built on the direct handler. */
export function configB(): IonsConfig {
  const { httpDirect: _direct, allow: _allow, lambdas, ...rest } = configA();
  const { bare: _bare, ...bLambdas } = lambdas!;
  return { ...rest, lambdas: bLambdas };
}

export interface TempDirs {
  make(prefix: string): Promise<string>;
  cleanup(): Promise<void>;
}

export function tempDirs(): TempDirs {
  const made: string[] = [];
  return {
    async make(prefix) {
      const dir = await mkdtemp(join(tmpdir(), `ions-${prefix}-`));
      made.push(dir);
      return dir;
    },
    async cleanup() {
      await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
    },
  };
}

export async function buildFixture(dirs: TempDirs, service: string, config: IonsConfig, name: string): Promise<string> {
  const outDir = await dirs.make(`rev-${name}`);
  await buildRevision({ serviceDir: fixture(service), config, outDir, name });
  return outDir;
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): unknown;
  /** Whether the request went out on a kept-alive connection of `agent`. */
  reusedSocket: boolean;
}

/** One HTTP request, on a fresh connection unless a keep-alive `agent` is given; the body sent as given. */
export function httpRequest(url: string, method: string, headers: Record<string, string>, body?: string | Buffer, agent: Agent | false = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text), reusedSocket: req.reusedSocket });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export function invokeBody(event: unknown, overrides: Partial<InvokeBody['context']> = {}): string {
  const body: InvokeBody = {
    event,
    context: { awsRequestId: 'req-1', deadline: Date.now() + 10_000, functionName: 'fixture-web', ...overrides },
  };
  return JSON.stringify(body);
}

export interface SignedOptions {
  secret?: string;
  timestamp?: number;
  nonce?: string;
  /** Headers sent instead of the signed ones. */
  headers?: Record<string, string>;
  /** A keep-alive agent to send through, as a proxy does; a fresh connection otherwise. */
  agent?: Agent;
}

/** A signed invoke of `target`, the way a proxy sends it. */
export function invoke(nodeUrl: string, target: string, body: string, options: SignedOptions = {}): Promise<Answer> {
  const headers = options.headers ?? signedHeaders(options.secret ?? SECRET, target, body, options.timestamp, options.nonce);
  return httpRequest(nodeUrl + invokePath(target), 'POST', { 'content-type': 'application/json', ...headers }, body, options.agent);
}
