// A node trusts nothing in a fetched manifest that it cannot check.
import { describe, expect, it } from 'vitest';
import { parsePushManifest, PUSH_FORMAT, runtimeVersion } from '../../runtime/push/push-manifest.js';

const HASH = 'a'.repeat(64);
const valid = {
  format: PUSH_FORMAT,
  app: 'shop',
  revision: 'abc',
  runtimeVersion: '0.1.0',
  nodeVersion: '20',
  runtime: { sha256: HASH, size: 1_400_000 },
  files: [{ path: 'ions.json', sha256: HASH, size: 10 }],
  packages: [{ name: 'ms', version: '2.1.3', path: 'node_modules/ms', sha256: HASH, size: 3 }],
};
const parse = (value: unknown) => parsePushManifest(JSON.stringify(value), 's3://b/m.json');

describe('revision manifests', () => {
  it('reads a valid manifest', () => {
    expect(parse(valid)).toEqual(valid);
  });

  it.each([
    ['not JSON', '{', /^s3:\/\/b\/m.json is not JSON/],
    ['another format', { ...valid, format: 2 }, 's3://b/m.json: not a revision manifest of format 1'],
    ['no revision', { ...valid, revision: '' }, 's3://b/m.json: "revision" must be a non-empty string'],
    ['no runtime', { ...valid, runtime: undefined }, 's3://b/m.json: "runtime" needs a sha256 (64 hex digits) and a size'],
    ['a runtime without a size', { ...valid, runtime: { sha256: HASH } }, 's3://b/m.json: "runtime" needs a sha256 (64 hex digits) and a size'],
    ['no file list', { ...valid, files: undefined }, 's3://b/m.json: "files" and "packages" must be lists'],
    ['a short hash', { ...valid, files: [{ path: 'a', sha256: 'abc', size: 1 }] }, 's3://b/m.json: chunk #0 needs a path, a sha256 (64 hex digits) and a size'],
    ['an escaping path', { ...valid, packages: [{ ...valid.packages[0], path: 'node_modules/../../etc' }] }, 's3://b/m.json: chunk path node_modules/../../etc leaves the revision directory'],
    ['an absolute path', { ...valid, files: [{ path: '/etc/passwd', sha256: HASH, size: 1 }] }, 's3://b/m.json: chunk path /etc/passwd leaves the revision directory'],
  ])('refuses %s', (_what, value, message) => {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    expect(() => parsePushManifest(text, 's3://b/m.json')).toThrow(message);
  });

  it('knows the runtime version from the package', () => {
    expect(runtimeVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
