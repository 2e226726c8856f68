// Transactions forwarded from a query-group node to the primary: POST /_ions/db/transact, signed like an
// invoke (same key, clock window and replay memory) with the target `db/transact`, which no invoke or
// admin target can equal. The transaction data travels as EDN text, so keywords, tempid strings,
// instants, UUIDs, decimals and big integers arrive as they left.
import { readEdn } from '../db/edn/reader.js';
import { printEdn } from '../db/edn/printer.js';
import type { EntityId, TxData } from '../db/types.js';
import { NODE_PATH_PREFIX } from './wire.js';

export const DB_TRANSACT_PATH = `${NODE_PATH_PREFIX}db/transact`;
export const DB_TRANSACT_TARGET = 'db/transact';

export interface DbTransactBody {
  db: string;
  /** The transaction data as EDN. */
  tx: string;
}

/** 200: the transaction is durable at the primary. */
export interface DbTransactAnswer {
  t: number;
  tempids: Record<string, EntityId>;
}

/**
 * Why the primary refused: `not-primary`, `lease-lost` and `unavailable` (503) wrote nothing and may be
 * retried; `rejected` (422) is the transaction's own fault; `bad-request` (400) the request's.
 */
export type DbTransactRefusal = 'not-primary' | 'lease-lost' | 'unavailable' | 'rejected' | 'bad-request';

export interface DbTransactError {
  error: string;
  kind: DbTransactRefusal;
  retryable: boolean;
}

export function encodeDbTransact(db: string, txData: TxData): string {
  const body: DbTransactBody = { db, tx: printEdn(txData) };
  return JSON.stringify(body);
}

/** The database name and transaction data of a request body; throws saying what is wrong. */
export function decodeDbTransact(body: string): { db: string; txData: TxData } {
  const parsed = JSON.parse(body) as Partial<DbTransactBody>;
  if (typeof parsed?.db !== 'string' || parsed.db === '') throw new TypeError('"db" must be a non-empty string');
  if (typeof parsed.tx !== 'string') throw new TypeError('"tx" must be the transaction data as an EDN string');
  const txData = readEdn(parsed.tx);
  if (!Array.isArray(txData)) throw new TypeError('"tx" must be an EDN vector or list of transaction forms');
  return { db: parsed.db, txData: txData as TxData };
}
