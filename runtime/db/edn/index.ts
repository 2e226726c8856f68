export { readEdn, readEdnAll, EdnSyntaxError } from './reader.js';
export type { ReadOptions, TagReader } from './reader.js';
export { printEdn } from './printer.js';
export { EdnList, list, isList } from './list.js';
