// The part of DataScript's JavaScript API (npm `datascript`, which ships no types) that the store
// benchmark and the differential tests use. Attributes are strings there; values are plain JS.
declare module 'datascript' {
  type DsDb = { readonly __datascriptDb: unique symbol };
  const datascript: {
    empty_db(schema?: object): DsDb;
    init_db(datoms: readonly unknown[], schema?: object): DsDb;
    db_with(db: DsDb, tx: readonly unknown[]): DsDb;
    datoms(db: DsDb, index: string, ...components: unknown[]): unknown[];
    q(query: string, ...inputs: unknown[]): unknown;
    pull(db: DsDb, pattern: string, id: number): unknown;
    pull_many(db: DsDb, pattern: string, ids: readonly number[]): unknown[];
  };
  export default datascript;
}
