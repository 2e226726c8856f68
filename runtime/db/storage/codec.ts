// The versioned binary formats of what the datom store keeps in storage: a transaction's datoms (one
// log entry) and a snapshot of every datom of a database (a checkpoint blob). Both start with a format
// version and a kind byte so a reader never mistakes one for the other or for a future format.
import type { Datom } from '../types.js';
import { ByteReader, ByteWriter } from './byte-writer.js';
import { readDatom, writeDatom } from './codec-datom.js';

const FORMAT_VERSION = 1;
const KIND_TX = 0x54; // 'T'
const KIND_SNAPSHOT = 0x53; // 'S'

/** Datoms yielded between two pauses of the async snapshot encoder, so transactions keep flowing. */
const SNAPSHOT_SLICE = 20_000;

function writeDatoms(out: ByteWriter, datoms: Iterable<Datom>, state: { tx: number }): void {
  for (const datom of datoms) writeDatom(out, datom, state);
}

function readDatoms(input: ByteReader): Datom[] {
  const datoms: Datom[] = [];
  const state = { tx: 0 };
  while (!input.done) datoms.push(readDatom(input, state));
  return datoms;
}

function readHeader(input: ByteReader, kind: number): void {
  const version = input.byte();
  if (version !== FORMAT_VERSION) input.fail(`unknown format version ${version} (this build reads ${FORMAT_VERSION})`);
  const found = input.byte();
  if (found !== kind) input.fail(`expected a ${kind === KIND_TX ? 'transaction' : 'snapshot'} record, found kind ${found}`);
}

// Transactions are encoded one at a time on the writer's path, so one buffer serves them all.
const txWriter = new ByteWriter();

/** One transaction's datoms, as appended to the log. */
export function encodeTx(datoms: Iterable<Datom>): Uint8Array {
  const out = txWriter;
  out.reset();
  out.byte(FORMAT_VERSION);
  out.byte(KIND_TX);
  writeDatoms(out, datoms, { tx: 0 });
  return out.finish();
}

/** `where` names the record in errors (e.g. `log entry t=12`). */
export function decodeTx(bytes: Uint8Array, where: string): Datom[] {
  const input = new ByteReader(bytes, where);
  readHeader(input, KIND_TX);
  return readDatoms(input);
}

export interface Snapshot {
  readonly basisT: number;
  readonly datoms: readonly Datom[];
}

/** Every datom of a database up to basisT, history included; yields to the event loop as it goes. */
export async function encodeSnapshot(basisT: number, datoms: Iterable<Datom>): Promise<Uint8Array> {
  const out = new ByteWriter();
  out.byte(FORMAT_VERSION);
  out.byte(KIND_SNAPSHOT);
  out.uvarint(basisT);
  const state = { tx: 0 };
  let count = 0;
  for (const datom of datoms) {
    writeDatom(out, datom, state);
    if (++count % SNAPSHOT_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  return out.finish();
}

export function decodeSnapshot(bytes: Uint8Array, where: string): Snapshot {
  const input = new ByteReader(bytes, where);
  readHeader(input, KIND_SNAPSHOT);
  const basisT = input.uvarint();
  return { basisT, datoms: readDatoms(input) };
}
