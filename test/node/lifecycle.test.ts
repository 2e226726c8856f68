import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent } from 'node:http';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getAppInfo } from '../../runtime/app/context.js';
import { redirect, tapSink } from '../../runtime/cast/index.js';
import { startNode } from '../../runtime/node/index.js';
import { SECRET, buildFixture, configA, configB, fixture, httpRequest, invoke, invokeBody, tempDirs } from './helpers.js';

const dirs = tempDirs();
let revisionA: string;
let revisionB: string;

beforeAll(async () => {
  revisionA = await buildFixture(dirs, 'service-a', configA(), 'life-a');
  revisionB = await buildFixture(dirs, 'service-b', configB(), 'life-b');
});

afterAll(() => dirs.cleanup());

const web = (url: string) => invoke(url, 'lambda/web', invokeBody({ version: '2.0', rawPath: '/', requestContext: { http: { method: 'GET' } }, headers: {} }));
const revisionOf = async (url: string) => JSON.parse((((await web(url)).json()) as { body: string }).body).revision as string;

describe('HTTP-direct', () => {
  it('serves plain HTTP requests with the configured handler, body and all', async () => {
    const node = await startNode({ revisionDir: revisionA, port: 0, secret: SECRET });
    try {
      const answer = await httpRequest(`${node.url}/signup?x=1`, 'POST', { 'content-type': 'text/plain' }, 'hello');
      expect(answer.status).toBe(200);
      expect(answer.json()).toEqual({ revision: 'A', uri: '/signup', body: 'hello' });
      const signed = await invoke(node.url, 'http-direct', invokeBody({ version: '2.0', rawPath: '/via-invoke', requestContext: { http: { method: 'GET' } }, headers: {} }));
      expect(JSON.parse((signed.json() as { body: string }).body)).toMatchObject({ revision: 'A', uri: '/via-invoke' });
    } finally {
      await node.close();
    }
  });

  it('answers 500 without details when the handler throws, casting an alert; 413 past the body limit', async () => {
    const tap = tapSink();
    const restore = redirect(tap);
    const node = await startNode({ revisionDir: revisionA, port: 0, secret: SECRET, maxBodyBytes: 16 });
    try {
      const failed = await httpRequest(`${node.url}/x?fail=1`, 'GET', {});
      expect(failed.status).toBe(500);
      expect(failed.json()).toEqual({ error: 'Internal Server Error' });
      expect(tap.records.find((record) => record.type === 'alert')).toMatchObject({ msg: 'HTTP-direct handler failed', uri: '/x?fail=1' });
      expect((await httpRequest(`${node.url}/x`, 'POST', {}, 'x'.repeat(17))).status).toBe(413);
    } finally {
      restore();
      await node.close();
    }
  });

  it('answers 404 when the revision has no HTTP-direct handler', async () => {
    const node = await startNode({ revisionDir: revisionB, port: 0, secret: SECRET });
    try {
      const answer = await httpRequest(`${node.url}/anything`, 'GET', {});
      expect(answer.status).toBe(404);
      expect(answer.json()).toEqual({ error: 'revision life-b has no HTTP-direct handler' });
    } finally {
      await node.close();
    }
  });
});

describe('revisions', () => {
  it('is not ready without a revision: /_ions/health and invokes answer 503 until the first swap', async () => {
    const node = await startNode({ port: 0, secret: SECRET });
    try {
      const health = await httpRequest(`${node.url}/_ions/health`, 'GET', {});
      expect(health.status).toBe(503);
      expect(health.json()).toEqual({ revision: null, ready: false, app: null, group: null });
      const answer = await web(node.url);
      expect(answer.status).toBe(503);
      expect(answer.headers['retry-after']).toBe('1');
      await node.swap(revisionA);
      expect(await revisionOf(node.url)).toBe('A');
      expect((await httpRequest(`${node.url}/_ions/health`, 'GET', {})).json()).toMatchObject({ revision: 'life-a', ready: true });
    } finally {
      await node.close();
    }
  });

  it('keeps serving the old revision when the new one fails to load, and says why', async () => {
    const broken = await buildFixture(dirs, 'odd-modules', { app: 'odd', allow: ['src/throws.anything'] }, 'broken');
    const node = await startNode({ revisionDir: revisionA, port: 0, secret: SECRET });
    try {
      await expect(node.swap(broken)).rejects.toThrow(/revision broken: loading src\/throws-\w+\.mjs .* failed: this module fails while loading/);
      await expect(node.swap(await dirs.make('nothing'))).rejects.toThrow(/no revision in/);
      expect(node.revision).toBe('life-a');
      expect(await revisionOf(node.url)).toBe('A');
      expect(getAppInfo().revision).toBe('life-a');
      await node.swap(revisionB);
      expect(await revisionOf(node.url)).toBe('B');
      expect(getAppInfo().revision).toBe('life-b');
      expect((await invoke(node.url, 'lambda/info', invokeBody({}))).json()).toMatchObject({ revision: 'life-b' });
    } finally {
      await node.close();
    }
  });

  it('finishes a request in flight on the revision it started on', async () => {
    const node = await startNode({ revisionDir: revisionA, port: 0, secret: SECRET });
    try {
      const slow = httpRequest(`${node.url}/slow?ms=300`, 'GET', {});
      await new Promise((resolve) => setTimeout(resolve, 50));
      await node.swap(revisionB);
      expect(((await slow).json() as { revision: string }).revision).toBe('A');
      expect(await revisionOf(node.url)).toBe('B');
    } finally {
      await node.close();
    }
  });
});

describe('start and stop', () => {
  it('says which port is in use', async () => {
    const node = await startNode({ port: 0, secret: SECRET });
    const port = Number(new URL(node.url).port);
    try {
      await expect(startNode({ port, secret: SECRET })).rejects.toThrow(`cannot start ions node: port ${port} on 127.0.0.1 is already in use`);
    } finally {
      await node.close();
    }
  });

  it('close() lets in-flight requests finish, then refuses new connections', async () => {
    const node = await startNode({ revisionDir: revisionA, port: 0, secret: SECRET });
    const inFlight = invoke(node.url, 'lambda/slow', invokeBody({ ms: 300 }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closed = node.close();
    expect((await inFlight).status).toBe(200);
    await closed;
    await expect(httpRequest(`${node.url}/_ions/health`, 'GET', {})).rejects.toThrow(/ECONNREFUSED/);
  });

  it('tells a kept-alive client to close on the answer in flight when closing, and does not wait for the drain cut', async () => {
    const node = await startNode({ revisionDir: revisionA, port: 0, secret: SECRET, drainTimeoutMs: 60_000 });
    const agent = new Agent({ keepAlive: true });
    try {
      const inFlight = invoke(node.url, 'lambda/slow', invokeBody({ ms: 300 }), { agent });
      await new Promise((resolve) => setTimeout(resolve, 50));
      const closed = node.close();
      const answer = await inFlight;
      expect(answer.status).toBe(200);
      expect(answer.headers.connection).toBe('close');
      const cutoff = new Promise((resolve) => setTimeout(resolve, 2_000, 'still open'));
      expect(await Promise.race([closed.then(() => 'closed'), cutoff])).toBe('closed');
    } finally {
      agent.destroy();
    }
  });

  it('closes a kept-alive HTTP-direct connection once its request in flight is answered, without waiting for the drain cut', async () => {
    const node = await startNode({ revisionDir: revisionA, port: 0, secret: SECRET, drainTimeoutMs: 60_000 });
    const agent = new Agent({ keepAlive: true });
    try {
      const inFlight = httpRequest(`${node.url}/slow?ms=300`, 'GET', {}, undefined, agent);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const closed = node.close();
      expect((await inFlight).status).toBe(200);
      const cutoff = new Promise((resolve) => setTimeout(resolve, 2_000, 'still open'));
      expect(await Promise.race([closed.then(() => 'closed'), cutoff])).toBe('closed');
    } finally {
      agent.destroy();
    }
  });

  it('drains and exits 0 on SIGTERM in a node process', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture('serve-until-signal.ts'), revisionA, SECRET], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = once(child, 'exit');
    const url = await Promise.race([
      once(createInterface({ input: child.stdout! }), 'line').then(([line]) => line as string),
      exited.then(([code]) => Promise.reject(new Error(`node process exited with ${code} before listening`))),
    ]);
    const inFlight = invoke(url, 'lambda/slow', invokeBody({ ms: 400 }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    child.kill('SIGTERM');
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.json()).toMatchObject({ slept: 400 });
    expect(await exited).toEqual([0, null]);
  }, 20_000);
});
