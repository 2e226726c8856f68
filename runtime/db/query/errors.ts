import { printEdn } from '../edn/printer.js';

/** A malformed query or a query that cannot run; the message quotes the offending clause. */
export class QueryError extends Error {
  constructor(message: string, form?: unknown) {
    super(form === undefined ? message : `${message} in ${printEdn(form)}`);
    this.name = 'QueryError';
  }
}
