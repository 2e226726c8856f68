// Every append carries an id of its own, random per call of append, that the head keeps while the append
// is the newest and the log item of its last entry keeps for good. It is how a writer whose append was
// refused tells whether that refusal was of an SDK retry after its first attempt had landed (the response
// was lost): then the entry at its last t carries its id.
//
// The entries themselves cannot tell: they are opaque bytes, and what the datom store writes into one
// (a transaction's datoms: ids that follow from t, the values, a :db/txInstant in milliseconds) names no
// writer, so two writers that transact the same data at the same t in the same millisecond append equal
// bytes. Taking such an entry for one's own would tell a writer whose transaction was refused that it
// was done. An oversized entry's object name is unique per upload and would do for it alone; the id
// does for every append, and takes one item read at most.
import { randomBytes } from 'node:crypto';

/** 64 random bits: two appends to the same t never draw the same id in practice. */
export const newAppendId = (): string => randomBytes(8).toString('hex');
