import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearParamsCache, getParams, setLocalParams } from '../../runtime/params/index.js';

const ssm = mockClient(SSMClient);
const client = new SSMClient({ region: 'us-east-1' });

beforeEach(() => {
  ssm.reset();
  clearParamsCache();
  setLocalParams(undefined);
});
afterEach(() => setLocalParams(undefined));

describe('getParams over SSM', () => {
  it('reads every page, recursively and decrypted, with names relative to the path', async () => {
    ssm
      .on(GetParametersByPathCommand, { Path: '/app/prod/', NextToken: undefined })
      .resolves({ Parameters: [{ Name: '/app/prod/db/url', Value: 'postgres://x' }], NextToken: 'page-2' })
      .on(GetParametersByPathCommand, { Path: '/app/prod/', NextToken: 'page-2' })
      .resolves({ Parameters: [{ Name: '/app/prod/api-key', Value: 's3cret' }] });

    expect(await getParams({ path: '/app/prod', client })).toEqual({ 'db/url': 'postgres://x', 'api-key': 's3cret' });

    const calls = ssm.commandCalls(GetParametersByPathCommand);
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(call.args[0].input).toMatchObject({ Path: '/app/prod/', Recursive: true, WithDecryption: true });
    }
    expect(calls[1]!.args[0].input.NextToken).toBe('page-2');
  });

  it('answers from the cache within the TTL and reads again after it', async () => {
    ssm.on(GetParametersByPathCommand).resolvesOnce({ Parameters: [{ Name: '/a/k', Value: '1' }] }).resolves({ Parameters: [{ Name: '/a/k', Value: '2' }] });

    expect(await getParams({ path: '/a/', client, ttlMs: 60_000 })).toEqual({ k: '1' });
    expect(await getParams({ path: '/a', client, ttlMs: 60_000 })).toEqual({ k: '1' });
    expect(ssm.commandCalls(GetParametersByPathCommand)).toHaveLength(1);

    clearParamsCache();
    expect(await getParams({ path: '/a/', client, ttlMs: 0 })).toEqual({ k: '2' });
    expect(await getParams({ path: '/a/', client, ttlMs: 0 })).toEqual({ k: '2' });
    expect(ssm.commandCalls(GetParametersByPathCommand)).toHaveLength(3);
  });

  it('shares one read between concurrent callers and hands each a copy', async () => {
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [{ Name: '/a/k', Value: '1' }] });
    const [x, y] = await Promise.all([getParams({ path: '/a/', client }), getParams({ path: '/a/', client })]);
    expect(ssm.commandCalls(GetParametersByPathCommand)).toHaveLength(1);
    x.k = 'changed';
    expect(y.k).toBe('1');
    expect((await getParams({ path: '/a/', client })).k).toBe('1');
  });

  it('surfaces an SSM failure with the path and the AWS error, without caching it', async () => {
    const denied = Object.assign(new Error('User is not authorized to perform ssm:GetParametersByPath'), { name: 'AccessDeniedException' });
    ssm.on(GetParametersByPathCommand).rejectsOnce(denied).resolves({ Parameters: [{ Name: '/a/k', Value: 'v' }] });

    const failure = getParams({ path: '/a/', client });
    await expect(failure).rejects.toThrow('could not read SSM parameters under /a/ (AccessDeniedException: User is not authorized');
    await expect(failure).rejects.toHaveProperty('cause', denied);
    expect(await getParams({ path: '/a/', client })).toEqual({ k: 'v' });
  });

  it('never puts a value into the error of a later page', async () => {
    ssm
      .on(GetParametersByPathCommand, { NextToken: undefined })
      .resolves({ Parameters: [{ Name: '/a/secret', Value: 'hunter2' }], NextToken: 't' })
      .on(GetParametersByPathCommand, { NextToken: 't' })
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const err = await getParams({ path: '/a/', client }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain('ThrottlingException');
    expect((err as Error).message).not.toContain('hunter2');
  });

  it('rejects a path that is not an SSM hierarchy', async () => {
    await expect(getParams({ path: 'app/prod', client })).rejects.toThrow('path must start with "/"');
    expect(ssm.commandCalls(GetParametersByPathCommand)).toHaveLength(0);
  });

  it('says so when neither a path nor a configured parametersPath exists', async () => {
    await expect(getParams({ client })).rejects.toThrow('no path given and the app config has no parametersPath');
  });
});

describe('local parameters', () => {
  it('stand in for SSM entirely, filtered by path', async () => {
    setLocalParams({ '/app/dev/db/url': 'file:local', '/app/dev/key': 'k', '/other/x': 'y' });
    expect(await getParams({ path: '/app/dev/', client })).toEqual({ 'db/url': 'file:local', key: 'k' });
    expect(ssm.commandCalls(GetParametersByPathCommand)).toHaveLength(0);
  });

  it('go away when unset, and SSM answers again', async () => {
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [{ Name: '/app/dev/key', Value: 'from-ssm' }] });
    setLocalParams({ '/app/dev/key': 'local' });
    expect(await getParams({ path: '/app/dev/', client })).toEqual({ key: 'local' });
    setLocalParams(undefined);
    expect(await getParams({ path: '/app/dev/', client })).toEqual({ key: 'from-ssm' });
  });
});
