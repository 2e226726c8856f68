// A small shared data set for the feature tests.
import { kw } from '../../../runtime/db/edn-names.js';
import type { FunctionRegistry } from '../../../runtime/db/types.js';
import { fixtureDb } from './fixture-db.js';

export const IVAN = 1000;
export const PETR = 1001;
export const OLEG = 1002;
export const ANNA = 1003;

export const schema = {
  name: { unique: 'identity' as const },
  age: { valueType: 'long' as const },
  salary: { valueType: 'long' as const },
  sex: { valueType: 'keyword' as const },
  follows: { valueType: 'ref' as const, cardinality: 'many' as const },
  aliases: { cardinality: 'many' as const },
};

export const people = [
  { name: 'Ivan', age: 15, salary: 100, sex: kw('male'), follows: [PETR], aliases: ['Vanya', 'Ivanushka'] },
  { name: 'Petr', age: 37, salary: 300, sex: kw('male'), follows: [OLEG, ANNA] },
  { name: 'Oleg', age: 37, salary: 200, sex: kw('male'), follows: [ANNA] },
  { name: 'Anna', age: 22, sex: kw('female') },
];

export const functions: FunctionRegistry = {
  resolve: (name) =>
    ((
      {
        'src/fns.isAdult': (age: number) => age >= 18,
        'src/fns.initials': (name: string) => name.slice(0, 1),
        'src/fns.total': (values: number[]) => values.reduce((a, b) => a + b, 0),
      }
    ) as Record<string, (...args: never[]) => unknown>)[name],
};

export const db = fixtureDb(schema, people, functions);
