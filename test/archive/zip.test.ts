import fc from 'fast-check';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { zip } from '../../runtime/archive/zip.js';

describe('zip', () => {
  it('writes archives another implementation reads back byte for byte', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.record({ name: fc.stringMatching(/^[a-z][a-z0-9_.-]{0,20}$/), data: fc.uint8Array({ maxLength: 4096 }) }), {
          minLength: 1,
          maxLength: 5,
          selector: (entry) => entry.name,
        }),
        async (entries) => {
          const archive = await JSZip.loadAsync(zip(entries.map(({ name, data }) => ({ name, data: Buffer.from(data) }))), { checkCRC32: true });
          for (const { name, data } of entries) expect(Buffer.from(await archive.file(name)!.async('uint8array'))).toEqual(Buffer.from(data));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('is the same bytes for the same input, holding a regular 0644 file', async () => {
    const entries = [{ name: 'index.js', data: Buffer.from('exports.handler = async () => 1;\n') }];
    expect(zip(entries).equals(zip(entries))).toBe(true);
    const archive = await JSZip.loadAsync(zip(entries));
    expect(archive.file('index.js')!.unixPermissions).toBe(0o100644);
  });

  it('marks executable entries 0755 and leaves the rest 0644', async () => {
    const archive = await JSZip.loadAsync(
      zip([
        { name: 'hooks/fetch.sh', data: Buffer.from('#!/bin/bash\n'), executable: true },
        { name: 'appspec.yml', data: Buffer.from('version: 0.0\n') },
      ]),
    );
    expect(archive.file('hooks/fetch.sh')!.unixPermissions).toBe(0o100755);
    expect(archive.file('appspec.yml')!.unixPermissions).toBe(0o100644);
  });
});
