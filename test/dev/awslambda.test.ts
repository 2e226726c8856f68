// The stand-in for Lambda's `awslambda` global and the function URL reading of what a streaming
// handler writes, which `ions dev` and the streaming tests run on.
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { awslambdaStandIn, installAwsLambda, isStreamingHandler, ResponseStream, STREAMING_HANDLER } from '../../runtime/dev/awslambda.js';
import { collectStreamed, invokeStreaming } from '../../runtime/dev/function-url-stream.js';
import { awslambdaGlobal, type StreamingHandler } from '../../runtime/proxy/awslambda.js';

const global = globalThis as unknown as { awslambda?: Record<string, unknown> };
const saved = global.awslambda;
afterEach(() => {
  if (saved === undefined) delete global.awslambda;
  else global.awslambda = saved;
});

async function all(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('the awslambda stand-in', () => {
  it('marks a streaming handler the way the runtime does', () => {
    const handler: StreamingHandler = async () => {};
    expect(isStreamingHandler(handler)).toBe(false);
    expect(awslambdaStandIn.streamifyResponse(handler)).toBe(handler);
    expect((handler as unknown as Record<symbol, unknown>)[STREAMING_HANDLER]).toBe('response');
    expect(isStreamingHandler(handler)).toBe(true);
  });

  it('writes the prelude as JSON and 8 zero bytes ahead of the body, with the HTTP integration content type', async () => {
    const stream = new ResponseStream();
    const prelude = { statusCode: 201, headers: { 'x-a': '1' }, cookies: ['c=1'] };
    awslambdaStandIn.HttpResponseStream.from(stream, prelude).end('body');
    expect(stream.contentType).toBe('application/vnd.awslambda.http-integration-response');
    expect(await all(stream)).toEqual(Buffer.concat([Buffer.from(JSON.stringify(prelude)), Buffer.alloc(8), Buffer.from('body')]));
  });

  it('joins an awslambda object made without streaming (the AWS SDK makes one), and leaves a real one alone', () => {
    global.awslambda = { InvokeStore: 'kept' };
    expect(awslambdaGlobal()).toBeUndefined();
    const uninstall = installAwsLambda();
    expect(awslambdaGlobal()?.streamifyResponse).toBe(awslambdaStandIn.streamifyResponse);
    expect(global.awslambda.InvokeStore).toBe('kept');
    uninstall();
    expect(global.awslambda).toEqual({ InvokeStore: 'kept' });

    const real = { streamifyResponse: () => undefined, HttpResponseStream: {} };
    global.awslambda = real;
    installAwsLambda()();
    expect(global.awslambda).toBe(real);
    expect(global.awslambda.streamifyResponse).toBe(real.streamifyResponse);
  });
});

describe('a function URL reading a streaming handler', () => {
  const run = (handler: StreamingHandler) => invokeStreaming(awslambdaStandIn.streamifyResponse(handler), {}, {});

  it('reads the prelude into status, headers and cookies, and hands on the rest as the body', async () => {
    const answer = await run(async (_event, stream) => {
      const out = awslambdaStandIn.HttpResponseStream.from(stream, { statusCode: 202, headers: { 'content-type': 'text/csv' }, cookies: ['a=1', 'b=2'] });
      out.write('x,y\r\n');
      out.end('1,2\r\n');
    });
    expect(await collectStreamed(answer)).toEqual({ statusCode: 202, headers: { 'content-type': 'text/csv' }, cookies: ['a=1', 'b=2'], body: 'x,y\r\n1,2\r\n' });
  });

  it('answers 200 with the stream content type when the handler wrote no prelude, and ends what the handler left open', async () => {
    const answer = await run(async (_event, stream) => {
      stream.setContentType('text/plain');
      stream.write('raw');
    });
    expect(await collectStreamed(answer)).toEqual({ statusCode: 200, headers: { 'content-type': 'text/plain' }, cookies: [], body: 'raw' });
  });

  it('rejects for a handler that fails before its prelude, and fails the body for one that fails after', async () => {
    await expect(run(async () => Promise.reject(new Error('early')))).rejects.toThrow('early');
    const answer = await run(async (_event, stream) => {
      awslambdaStandIn.HttpResponseStream.from(stream, { statusCode: 200, headers: {}, cookies: [] }).write('some');
      await new Promise((resolve) => setTimeout(resolve, 5));
      throw new Error('late');
    });
    expect(answer.prelude.statusCode).toBe(200);
    await expect(all(answer.body)).rejects.toThrow('late');
  });
});
