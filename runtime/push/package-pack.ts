// One dependency package as a single chunk: its files (without nested node_modules, which are packages
// of their own, and without type declarations, which nothing runs) in a deterministic gzipped archive,
// so the same package@version always gives the same bytes and so the same hash.
//
// Layout before gzip: a 4-byte big-endian header length, a JSON header [{ path, size, mode }], then
// every file's bytes in header order.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

interface PackEntry {
  path: string;
  size: number;
  /** 0o755 for executables, else 0o644: nothing else about a file's mode matters to a revision. */
  mode: number;
}

const SKIPPED = /\.d\.[mc]?ts$/;

export async function packDirectory(dir: string): Promise<Buffer> {
  const files = await packedFiles(dir);
  const entries: PackEntry[] = [];
  const bodies: Buffer[] = [];
  for (const file of files) {
    const [body, info] = await Promise.all([readFile(file), stat(file)]);
    entries.push({ path: relative(dir, file).split(sep).join('/'), size: body.length, mode: info.mode & 0o111 ? 0o755 : 0o644 });
    bodies.push(body);
  }
  const header = Buffer.from(JSON.stringify(entries));
  const length = Buffer.alloc(4);
  length.writeUInt32BE(header.length);
  return gzipSync(Buffer.concat([length, header, ...bodies]), { level: 9 });
}

/** The files a pack of `dir` holds, in pack order. */
export async function packedFiles(dir: string): Promise<string[]> {
  return (await listFiles(dir)).sort();
}

/**
 * What a pack of `dir` would be made of, short of reading the bytes: every packed file's path, size
 * and modification time. Installing a package rewrites its files, so an unchanged fingerprint means
 * an unchanged pack.
 */
export async function packFingerprint(dir: string): Promise<string> {
  const parts: string[] = [];
  for (const file of await packedFiles(dir)) {
    const info = await stat(file);
    parts.push(`${relative(dir, file)}\0${info.size}\0${info.mtimeMs}\0${info.mode & 0o111 ? 'x' : '-'}`);
  }
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}

async function listFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') found.push(...(await listFiles(path)));
    } else if (entry.isFile() && !SKIPPED.test(entry.name)) {
      found.push(path);
    }
  }
  return found;
}

/** Writes a pack's files under `intoDir`; `what` names the pack in errors. */
export async function unpack(pack: Buffer, intoDir: string, what: string): Promise<void> {
  const raw = gunzipSync(pack);
  const headerLength = raw.readUInt32BE(0);
  const entries = JSON.parse(raw.subarray(4, 4 + headerLength).toString('utf8')) as PackEntry[];
  const root = resolve(intoDir);
  let offset = 4 + headerLength;
  for (const { path, size, mode } of entries) {
    const target = resolve(root, path);
    if (!target.startsWith(root + sep)) throw new Error(`${what}: file ${path} would land outside ${intoDir}`);
    if (offset + size > raw.length) throw new Error(`${what}: truncated at ${path}`);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, raw.subarray(offset, offset + size), { mode });
    offset += size;
  }
  if (offset !== raw.length) throw new Error(`${what}: ${raw.length - offset} bytes after the last file`);
}
