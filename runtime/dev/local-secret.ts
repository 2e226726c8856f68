// The HMAC key shared by the local gateway's proxies and the local node: fresh for every `ions dev`,
// in a file only its owner can read.
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export async function writeLocalSecret(file: string): Promise<string> {
  const key = randomBytes(32).toString('hex');
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  // Removed first: writeFile applies the mode only to a file it creates.
  await rm(file, { force: true });
  await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}
