// One datom in the binary formats of the log, snapshots and index segments. The tx is stored as a
// distance from the previous datom's (its direction in the flags byte): within a transaction it is the
// same, and in a snapshot or segment sorted by e it repeats often, so it costs one byte.
import { StoredDatom } from '../datom.js';
import type { Datom } from '../types.js';
import type { ByteReader, ByteWriter } from './byte-writer.js';
import { readValue, writeValue } from './codec-value.js';

const ADDED = 1;
const TX_DOWN = 2;

/** `state.tx` carries the previous datom's tx from one call to the next; start it at 0. */
export function writeDatom(out: ByteWriter, datom: Datom, state: { tx: number }): void {
  out.uvarint(datom.e);
  out.uvarint(datom.a);
  const down = datom.tx < state.tx;
  out.byte((datom.added ? ADDED : 0) | (down ? TX_DOWN : 0));
  out.uvarint(down ? state.tx - datom.tx : datom.tx - state.tx);
  state.tx = datom.tx;
  writeValue(out, datom.v);
}

/** Reads what writeDatom wrote, with the same `state` discipline. */
export function readDatom(input: ByteReader, state: { tx: number }): Datom {
  const e = input.uvarint();
  const a = input.uvarint();
  const flags = input.byte();
  if (flags > (ADDED | TX_DOWN)) input.fail(`bad datom flags ${flags}`);
  const distance = input.uvarint();
  state.tx = flags & TX_DOWN ? state.tx - distance : state.tx + distance;
  return new StoredDatom(e, a, readValue(input), state.tx, (flags & ADDED) !== 0);
}
