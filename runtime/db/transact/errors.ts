import { show } from '../values/show.js';

/** A transaction that failed and changed nothing; says which op (index in the tx data) and why. */
export class TxError extends Error {
  constructor(
    readonly reason: string,
    /** Index of the failing item in the top-level tx data; undefined when no single op is to blame. */
    readonly opIndex: number | undefined,
    /** The failing op as text. */
    readonly opText: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(opIndex === undefined ? `transaction failed: ${reason}` : `transaction failed at op ${opIndex} ${opText}: ${reason}`, options);
    this.name = 'TxError';
  }
}

/** Where an op came from: its top-level index, plus a note when a map key or a function result made it. */
export interface Source {
  readonly index: number;
  readonly note: string;
}

export function txError(txData: readonly unknown[], src: Source | undefined, reason: string, cause?: unknown): TxError {
  if (src === undefined) return new TxError(reason, undefined, undefined, cause === undefined ? undefined : { cause });
  const text = `${show(txData[src.index])}${src.note}`;
  return new TxError(reason, src.index, text, cause === undefined ? undefined : { cause });
}
