// The binary formats of the segment index: a segment (a run of datoms in one index's order) and an
// index root (per index, the list of its segments with each one's greatest datom). Both are immutable
// blobs named by their SHA-256; encoding is deterministic, so equal content means an equal key and a
// new root shares every unchanged segment with the previous one for free.
import { ByteReader, ByteWriter } from '../storage/byte-writer.js';
import { readDatom, writeDatom } from '../storage/codec-datom.js';
import type { BlobKey } from '../storage/storage.js';
import type { Datom, IndexName } from '../types.js';

const FORMAT_VERSION = 1;
const KIND_SEGMENT = 0x47; // 'G'
const KIND_INDEX_ROOT = 0x58; // 'X'

export const INDEX_NAMES: readonly IndexName[] = ['eavt', 'aevt', 'avet', 'vaet'];

/** One segment as its index root lists it. */
export interface SegmentRef {
  readonly key: BlobKey;
  /** The segment's greatest datom in its index's order: what the branch above it is keyed by. */
  readonly last: Datom;
  readonly count: number;
}

export type SegmentDirectory = Readonly<Record<IndexName, readonly SegmentRef[]>>;

/** Everything a database value is made of at basisT, with the indexes as lists of segments. */
export interface IndexRoot {
  readonly basisT: number;
  readonly maxEid: number;
  readonly lastInstant: number;
  /** When the root was written (ms since the Unix epoch): garbage collection's retention window counts from it. */
  readonly publishedAt: number;
  /** The index root this one was merged from, if any. */
  readonly previous: BlobKey | undefined;
  /** The live datoms of the schema attributes (a <= LAST_SCHEMA_ATTR), so a reader needs no segment to know the schema. */
  readonly schema: readonly Datom[];
  readonly live: SegmentDirectory;
  readonly history: SegmentDirectory;
}

function writeHeader(out: ByteWriter, kind: number): void {
  out.byte(FORMAT_VERSION);
  out.byte(kind);
}

function readHeader(input: ByteReader, kind: number, what: string): void {
  const version = input.byte();
  if (version !== FORMAT_VERSION) input.fail(`unknown segment format version ${version} (this build reads ${FORMAT_VERSION})`);
  const found = input.byte();
  if (found !== kind) input.fail(`expected ${what}, found record kind ${found}`);
}

export function encodeSegment(datoms: readonly Datom[]): Uint8Array {
  const out = new ByteWriter();
  writeHeader(out, KIND_SEGMENT);
  out.uvarint(datoms.length);
  const state = { tx: 0 };
  for (const d of datoms) writeDatom(out, d, state);
  return out.finish();
}

/** `where` names the blob in errors. */
export function decodeSegment(bytes: Uint8Array, where: string): Datom[] {
  const input = new ByteReader(bytes, where);
  readHeader(input, KIND_SEGMENT, 'an index segment');
  const count = input.uvarint();
  const datoms = new Array<Datom>(count);
  const state = { tx: 0 };
  for (let i = 0; i < count; i++) datoms[i] = readDatom(input, state);
  if (!input.done) input.fail('bytes left after the last datom of the segment');
  return datoms;
}

/** Whether a root blob holds an index root (rather than, say, a snapshot checkpoint). */
export function isIndexRoot(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === FORMAT_VERSION && bytes[1] === KIND_INDEX_ROOT;
}

function writeDirectory(out: ByteWriter, dir: SegmentDirectory): void {
  for (const name of INDEX_NAMES) {
    const refs = dir[name];
    out.uvarint(refs.length);
    const state = { tx: 0 };
    for (const ref of refs) {
      out.raw(Buffer.from(ref.key, 'hex'));
      out.uvarint(ref.count);
      writeDatom(out, ref.last, state);
    }
  }
}

function readDirectory(input: ByteReader): SegmentDirectory {
  const dir = {} as Record<IndexName, SegmentRef[]>;
  for (const name of INDEX_NAMES) {
    const count = input.uvarint();
    const refs = new Array<SegmentRef>(count);
    const state = { tx: 0 };
    for (let i = 0; i < count; i++) {
      const key = Buffer.from(input.raw(32)).toString('hex');
      const n = input.uvarint();
      refs[i] = { key, count: n, last: readDatom(input, state) };
    }
    dir[name] = refs;
  }
  return dir;
}

export function encodeIndexRoot(root: IndexRoot): Uint8Array {
  const out = new ByteWriter();
  writeHeader(out, KIND_INDEX_ROOT);
  out.uvarint(root.basisT);
  out.uvarint(root.maxEid);
  out.float64(root.lastInstant);
  out.float64(root.publishedAt);
  out.byte(root.previous === undefined ? 0 : 1);
  if (root.previous !== undefined) out.raw(Buffer.from(root.previous, 'hex'));
  out.uvarint(root.schema.length);
  const state = { tx: 0 };
  for (const d of root.schema) writeDatom(out, d, state);
  writeDirectory(out, root.live);
  writeDirectory(out, root.history);
  return out.finish();
}

export function decodeIndexRoot(bytes: Uint8Array, where: string): IndexRoot {
  const input = new ByteReader(bytes, where);
  readHeader(input, KIND_INDEX_ROOT, 'an index root');
  const basisT = input.uvarint();
  const maxEid = input.uvarint();
  const lastInstant = input.float64();
  const publishedAt = input.float64();
  const hasPrevious = input.byte();
  const previous = hasPrevious === 1 ? Buffer.from(input.raw(32)).toString('hex') : undefined;
  const count = input.uvarint();
  const schema = new Array<Datom>(count);
  const state = { tx: 0 };
  for (let i = 0; i < count; i++) schema[i] = readDatom(input, state);
  const live = readDirectory(input);
  const history = readDirectory(input);
  if (!input.done) input.fail('bytes left after the index root');
  return { basisT, maxEid, lastInstant, publishedAt, previous, schema, live, history };
}
