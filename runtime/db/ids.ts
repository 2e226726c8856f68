// How entity ids are laid out. Ids stay below 2^30 so that V8 keeps them as small integers (no heap
// numbers in datoms, integer compares in the indexes):
//   0 .. FIRST_USER_ID-1        built-in attributes and idents
//   FIRST_USER_ID .. TX0-1      entities made by transactions
//   TX0 + t                     the entity of the transaction with basis t (t = 0 is the bootstrap)

export const FIRST_USER_ID = 1000;
export const TX0 = 0x20000000;
export const MAX_T = 0x3fffffff - TX0;

/** The entity id of transaction t. */
export function tToTx(t: number): number {
  return TX0 + t;
}

/** The t of a transaction entity id. */
export function txToT(tx: number): number {
  return tx - TX0;
}

export function isTxId(id: number): boolean {
  return id >= TX0;
}
