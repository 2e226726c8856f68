// Turns a query (EDN text already read, or the same as data) into the AST of ast.ts, checking its
// shape and quoting the offending clause when something is wrong.
import { Keyword, Sym } from '../edn-names.js';
import type { Binding, Clause, FindElem, InBinding, OrClause, Query, Rule, Term } from './ast.js';
import { clauseVars } from './ast.js';
import { QueryError } from './errors.js';

const SECTIONS = ['find', 'keys', 'strs', 'syms', 'in', 'with', 'where'] as const;
type Section = (typeof SECTIONS)[number];

const isVar = (x: unknown): x is Sym => x instanceof Sym && x.name.startsWith('?');
const isSrc = (x: unknown): x is Sym => x instanceof Sym && x.name.startsWith('$');
/** A symbol that names something (a function, a rule, not/or) rather than a variable, `_` or a source. */
const isNameSym = (x: unknown): x is Sym => x instanceof Sym && !x.name.startsWith('?') && !x.name.startsWith('$') && x.name !== '_';

function sections(form: unknown): Map<Section, unknown[]> {
  const out = new Map<Section, unknown[]>();
  const put = (key: string, value: unknown): void => {
    const name = key.startsWith(':') ? key.slice(1) : key;
    if (!(SECTIONS as readonly string[]).includes(name)) throw new QueryError(`unknown query section :${name}`, form);
    if (!Array.isArray(value)) throw new QueryError(`query section :${name} must be a vector`, form);
    out.set(name as Section, value);
  };
  if (Array.isArray(form)) {
    let current: unknown[] | undefined;
    for (const item of form) {
      if (item instanceof Keyword) {
        current = [];
        put(item.fqn, current);
      } else if (current === undefined) throw new QueryError('a query vector must start with a keyword like :find', form);
      else current.push(item);
    }
  } else if (form instanceof Map) {
    for (const [k, v] of form) put(k instanceof Keyword ? k.fqn : String(k), v);
  } else if (form !== null && typeof form === 'object') {
    for (const [k, v] of Object.entries(form)) put(k, v);
  } else throw new QueryError('a query is a vector, a map, or EDN text of one', form);
  return out;
}

function term(x: unknown): Term {
  if (x instanceof Sym) {
    if (x.name === '_') return { t: 'blank' };
    if (x.name.startsWith('?')) return { t: 'var', name: x.name };
    if (x.name.startsWith('$')) return { t: 'src', name: x.name };
  }
  return { t: 'const', value: x };
}

function varName(x: unknown, form: unknown): string {
  if (!isVar(x)) throw new QueryError(`expected a variable, got ${String(x)}`, form);
  return x.name;
}

function parseBinding(x: unknown, form: unknown): Binding {
  if (isVar(x)) return { kind: 'scalar', v: x.name };
  if (x instanceof Sym && x.name === '_') return { kind: 'scalar', v: null };
  if (Array.isArray(x)) {
    if (x.length === 2 && x[1] instanceof Sym && x[1].name === '...') {
      const b = parseBinding(x[0], form);
      if (b.kind !== 'scalar') throw new QueryError('a collection binding holds one variable', form);
      return { kind: 'coll', v: b.v };
    }
    if (x.length === 1 && Array.isArray(x[0])) return { kind: 'rel', vars: x[0].map((y) => bindingSlot(y, form)) };
    if (x.length > 0) return { kind: 'tuple', vars: x.map((y) => bindingSlot(y, form)) };
  }
  throw new QueryError(`invalid binding form ${String(x)}`, form);
}

function bindingSlot(x: unknown, form: unknown): string | null {
  if (x instanceof Sym && x.name === '_') return null;
  return varName(x, form);
}

export function parseClause(form: unknown): Clause {
  if (!Array.isArray(form) || form.length === 0) throw new QueryError('a clause must be a non-empty list or vector', form);
  let items = form as unknown[];
  let src = '$';
  if (isSrc(items[0]) && isNameSym(items[1])) {
    src = items[0].name;
    items = items.slice(1);
  }
  const head = items[0];
  if (Array.isArray(head) && isNameSym(head[0])) return parseCall(form, head);
  if (isNameSym(head)) {
    switch (head.name) {
      case 'not':
      case 'not-join':
        return parseNot(form, items, src);
      case 'or':
      case 'or-join':
        return parseOr(form, items, src);
      case 'and':
        throw new QueryError('and is only allowed inside or', form);
      default:
        if (items.length < 2) throw new QueryError(`rule call ${head.name} needs arguments`, form);
        return { kind: 'rule', src, name: head.name, args: items.slice(1).map(term), form };
    }
  }
  if (isSrc(head)) {
    src = head.name;
    items = items.slice(1);
  }
  if (items.length === 0 || items.length > 5) throw new QueryError('a data pattern has 1 to 5 elements', form);
  const terms = items.map(term);
  for (const t of terms) if (t.t === 'src') throw new QueryError(`a source ${t.name} cannot appear inside a data pattern`, form);
  return { kind: 'pattern', src, terms, form };
}

function parseCall(form: unknown, call: unknown[]): Clause {
  const items = form as unknown[];
  const fn = (call[0] as Sym).name;
  const args = call.slice(1).map(term);
  if (items.length === 1) return { kind: 'pred', fn, args, form };
  if (items.length === 2) return { kind: 'fn', fn, args, binding: parseBinding(items[1], form), form };
  throw new QueryError('a function clause is [(f args...)] or [(f args...) binding]', form);
}

function parseNot(form: unknown, items: unknown[], src: string): Clause {
  const join = (items[0] as Sym).name === 'not-join';
  let rest = items.slice(1);
  let joinVars: string[] | undefined;
  if (join) {
    if (!Array.isArray(rest[0])) throw new QueryError('not-join needs a vector of variables first', form);
    joinVars = rest[0].map((v) => varName(v, form));
    rest = rest.slice(1);
  }
  if (rest.length === 0) throw new QueryError('not needs at least one clause', form);
  const clauses = rest.map(parseClause);
  return { kind: 'not', src, joinVars: joinVars ?? uniqueVars(clauses), declared: join, clauses, form };
}

function parseOr(form: unknown, items: unknown[], src: string): OrClause {
  const join = (items[0] as Sym).name === 'or-join';
  let rest = items.slice(1);
  let joinVars: string[] | undefined;
  const required: string[] = [];
  if (join) {
    if (!Array.isArray(rest[0])) throw new QueryError('or-join needs a vector of variables first', form);
    joinVars = [];
    for (const v of rest[0]) {
      if (Array.isArray(v)) {
        for (const r of v) {
          required.push(varName(r, form));
          joinVars.push(varName(r, form));
        }
      } else joinVars.push(varName(v, form));
    }
    rest = rest.slice(1);
  }
  if (rest.length === 0) throw new QueryError('or needs at least one branch', form);
  const branches = rest.map((b) => {
    if (Array.isArray(b) && b[0] instanceof Sym && b[0].name === 'and') {
      if (b.length < 2) throw new QueryError('and needs at least one clause', b);
      return b.slice(1).map(parseClause);
    }
    return [parseClause(b)];
  });
  if (joinVars === undefined) {
    joinVars = uniqueVars(branches[0]!);
    const expected = [...joinVars].sort().join(' ');
    for (const b of branches) {
      if (uniqueVars(b).sort().join(' ') !== expected) throw new QueryError('all branches of or must use the same variables (use or-join)', form);
    }
  }
  return { kind: 'or', src, joinVars, required, branches, form };
}

function uniqueVars(clauses: readonly Clause[]): string[] {
  const out = new Set<string>();
  for (const c of clauses) for (const v of clauseVars(c)) out.add(v);
  return [...out];
}

function parseFindElem(x: unknown, form: unknown): FindElem {
  if (isVar(x)) return { kind: 'var', name: x.name };
  if (Array.isArray(x) && isNameSym(x[0])) {
    const name = x[0].name;
    if (name === 'pull') {
      const withSrc = isSrc(x[1]);
      const args = withSrc ? x.slice(2) : x.slice(1);
      if (args.length !== 2) throw new QueryError('pull in :find is (pull ?e pattern)', x);
      return { kind: 'pull', src: withSrc ? (x[1] as Sym).name : '$', v: varName(args[0], x), pattern: args[1], form: x };
    }
    if (x.length < 2) throw new QueryError(`aggregate ${name} needs a variable`, x);
    return { kind: 'agg', fn: name, params: x.slice(1, -1), arg: varName(x[x.length - 1], x), form: x };
  }
  throw new QueryError(`invalid :find element ${String(x)}`, form);
}

function parseFind(find: unknown[], form: unknown): Pick<Query, 'find' | 'shape'> {
  if (find.length === 0) throw new QueryError(':find needs at least one element', form);
  if (find.length === 2 && find[1] instanceof Sym && find[1].name === '.') return { find: [parseFindElem(find[0], form)], shape: 'scalar' };
  const only = find[0];
  if (find.length === 1 && Array.isArray(only) && !isNameSym(only[0])) {
    if (only.length === 2 && only[1] instanceof Sym && only[1].name === '...') return { find: [parseFindElem(only[0], form)], shape: 'coll' };
    return { find: only.map((x) => parseFindElem(x, form)), shape: 'tuple' };
  }
  return { find: find.map((x) => parseFindElem(x, form)), shape: 'rel' };
}

function parseIn(x: unknown, form: unknown): InBinding {
  if (isSrc(x)) return { kind: 'src', name: x.name };
  if (x instanceof Sym && x.name === '%') return { kind: 'rules' };
  return { kind: 'binding', binding: parseBinding(x, form) };
}

export function parseQuery(form: unknown): Query {
  const s = sections(form);
  const find = s.get('find');
  if (find === undefined) throw new QueryError('a query needs :find', form);
  const { find: elems, shape } = parseFind(find, form);
  const inputs = (s.get('in') ?? [Sym.of('$')]).map((x) => parseIn(x, form));
  const where = (s.get('where') ?? []).map(parseClause);
  const withVars = (s.get('with') ?? []).map((v) => varName(v, form));
  let keys: Query['keys'];
  for (const kind of ['keys', 'strs', 'syms'] as const) {
    const names = s.get(kind);
    if (names === undefined) continue;
    if (keys !== undefined) throw new QueryError('use only one of :keys, :strs, :syms', form);
    if (shape !== 'rel' && shape !== 'tuple') throw new QueryError(`:${kind} needs a relation or tuple :find`, form);
    if (names.length !== elems.length) throw new QueryError(`:${kind} has ${names.length} names for ${elems.length} :find elements`, form);
    keys = { kind, names: names.map((n) => (n instanceof Keyword ? n.fqn : String(n))) };
  }
  const query: Query = { find: elems, shape, inputs, with: withVars, where, form, ...(keys ? { keys } : {}) };
  checkFindVars(query);
  return query;
}

function checkFindVars(query: Query): void {
  const bound = new Set<string>();
  for (const input of query.inputs) {
    if (input.kind !== 'binding') continue;
    const b = input.binding;
    for (const v of b.kind === 'scalar' || b.kind === 'coll' ? [b.v] : b.vars) if (v !== null) bound.add(v);
  }
  const visit = (c: Clause): void => {
    for (const v of clauseVars(c)) bound.add(v);
  };
  query.where.forEach(visit);
  for (const e of query.find) {
    const v = e.kind === 'var' ? e.name : e.kind === 'agg' ? e.arg : e.v;
    if (!bound.has(v)) throw new QueryError(`:find variable ${v} is not bound by :in or :where`, query.form);
  }
  for (const v of query.with) if (!bound.has(v)) throw new QueryError(`:with variable ${v} is not bound by :in or :where`, query.form);
}

export function parseRules(form: unknown): Map<string, Rule[]> {
  if (!Array.isArray(form)) throw new QueryError('rules are a vector of rule definitions', form);
  const rules = new Map<string, Rule[]>();
  for (const def of form) {
    if (!Array.isArray(def) || def.length < 2 || !Array.isArray(def[0]) || !isNameSym(def[0][0])) {
      throw new QueryError('a rule is [(name ?args...) clauses...]', def);
    }
    const name = (def[0][0] as Sym).name;
    const head: string[] = [];
    for (const a of def[0].slice(1)) {
      if (Array.isArray(a)) for (const r of a) head.push(varName(r, def));
      else head.push(varName(a, def));
    }
    if (head.length === 0) throw new QueryError(`rule ${name} needs at least one variable`, def);
    const body = def.slice(1).map(parseClause);
    const list = rules.get(name);
    if (list !== undefined && list[0]!.head.length !== head.length) throw new QueryError(`rule ${name} is defined with different arities`, def);
    const rule: Rule = { name, head, body, form: def };
    if (list === undefined) rules.set(name, [rule]);
    else list.push(rule);
  }
  return rules;
}

