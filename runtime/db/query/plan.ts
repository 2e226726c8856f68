// The planner: orders a clause list into steps. It greedily takes the cheapest clause that can run
// given the variables bound so far — filters (predicates, not) as soon as their inputs are bound, then
// lookups by entity, then by attribute and value, and attribute scans last — so the order clauses are
// written in barely matters. Comparisons on a scanned attribute's value become an AVET range.
import type { CallClause, Clause, PatternClause, Term } from './ast.js';
import { clauseVars, termVars } from './ast.js';
import { compileCall } from './call-step.js';
import type { Plan, Step } from './env.js';
import { QueryError } from './errors.js';
import { compileNot, compileOr } from './join-steps.js';
import type { Compile, SelfCall } from './join-steps.js';
import type { RangeHint } from './pattern-step.js';
import { compilePattern } from './pattern-step.js';
import { compileRuleCall } from './rule-table.js';
import type { Row } from './tuple-set.js';

const NOT_READY = Infinity;

function known(t: Term | undefined, bound: ReadonlySet<string>): boolean {
  return t !== undefined && (t.t === 'const' || (t.t === 'var' && bound.has(t.name)));
}

/** How many datoms a pattern with a constant attribute and value matches, when a database is at hand. */
export type Estimate = (c: PatternClause) => number | undefined;

function patternCost(c: PatternClause, bound: ReadonlySet<string>, estimate: Estimate | undefined): number {
  const [e, a, v, tx] = c.terms;
  const ek = known(e, bound);
  const ak = known(a, bound);
  const vk = known(v, bound);
  let cost: number;
  if (ek) cost = ak ? 1 : 1.5;
  else if (ak && vk) {
    // Among lookups by attribute and constant value, the one matching fewest datoms goes first.
    const n = v!.t === 'const' && a!.t === 'const' ? estimate?.(c) : undefined;
    cost = v!.t === 'const' ? 2 + (n === undefined ? 0.05 : Math.min(n, 1e9) / 1e10) : 2.2;
  }
  else if (ak) cost = 4;
  else if (vk) cost = 6;
  else if (known(tx, bound)) cost = 7;
  else cost = 9;
  // A pattern that binds nothing new only filters rows: the earlier, the fewer rows the rest sees.
  if (termVars(c.terms).every((x) => bound.has(x))) cost -= 0.1;
  // Prefer clauses connected to what is bound over ones that multiply rows by a cross product.
  if (bound.size > 0 && !termVars(c.terms).some((x) => bound.has(x))) cost += 0.5;
  return cost;
}

/** The cost of running a clause next, NOT_READY while it still needs variables bound. */
function cost(c: Clause, bound: ReadonlySet<string>, outer: ReadonlySet<string>, estimate: Estimate | undefined, self: SelfCall | undefined): number {
  switch (c.kind) {
    case 'pattern':
      return patternCost(c, bound, estimate);
    case 'pred':
      return termVars(c.args).every((v) => bound.has(v)) ? 0 : NOT_READY;
    case 'fn':
      return termVars(c.args).every((v) => bound.has(v)) ? 0.2 : NOT_READY;
    case 'not': {
      const need = c.declared ? c.joinVars : c.joinVars.filter((v) => outer.has(v));
      return need.every((v) => bound.has(v)) ? 0.1 : NOT_READY;
    }
    case 'or':
      if (!c.required.every((v) => bound.has(v))) return NOT_READY;
      return c.joinVars.some((v) => bound.has(v)) ? 3 : 5;
    case 'rule':
      // Semi-naive evaluation feeds a recursive call to the table being filled only its new answers:
      // starting from them keeps each round's work proportional to what the last round found.
      if (self !== undefined && c.name === self.name && c.args.map((t) => (known(t, bound) ? 'b' : 'f')).join('') === self.mask) return 1.2;
      return c.args.some((t) => known(t, bound)) ? 3 : 5;
  }
}

/** Comparisons `(> ?v x)`, `(< x ?v)`... on the value variable of a scan whose other side is known. */
function rangeHint(c: PatternClause, rest: readonly Clause[], bound: ReadonlySet<string>, cols: readonly string[]): RangeHint | undefined {
  const [e, a, v] = c.terms;
  if (known(e, bound) || !a || a.t !== 'const' || !v || v.t !== 'var' || bound.has(v.name)) return undefined;
  let lower: ((row: Row) => unknown) | undefined;
  let upper: ((row: Row) => unknown) | undefined;
  for (const p of rest) {
    if (p.kind !== 'pred' || p.args.length !== 2) continue;
    const op = p.fn === '>' || p.fn === '>=' ? 1 : p.fn === '<' ? -1 : p.fn === '<=' ? -2 : 0;
    if (op === 0) continue;
    const [x, y] = p.args as [Term, Term];
    const isV = (t: Term) => t.t === 'var' && t.name === v.name;
    const getter = (t: Term): ((row: Row) => unknown) | undefined => {
      if (t.t === 'const') return () => t.value;
      if (t.t === 'var' && bound.has(t.name)) {
        const col = cols.indexOf(t.name);
        return (row) => row[col];
      }
      return undefined;
    };
    // ?v > x and x < ?v give a lower bound; ?v < x and x > ?v an exclusive upper bound.
    if (isV(x) && op === 1) lower ??= getter(y);
    else if (isV(y) && op < 0) lower ??= getter(x);
    else if (isV(x) && op === -1) upper ??= getter(y);
    else if (isV(y) && op === 1 && p.fn === '>') upper ??= getter(x);
  }
  if (lower === undefined && upper === undefined) return undefined;
  return { ...(lower ? { lower } : {}), ...(upper ? { upper } : {}) };
}

function describeMissing(c: Clause, bound: ReadonlySet<string>): string {
  const vars = c.kind === 'pred' || c.kind === 'fn' ? termVars((c as CallClause).args) : c.kind === 'or' ? c.required : clauseVars(c);
  const missing = vars.filter((v) => !bound.has(v));
  return `insufficient bindings: ${missing.join(', ')} must be bound before`;
}

/** Whether a clause keeps distinct rows distinct (a blank e or a, or a collection binding, can repeat rows). */
function keepsDistinct(c: Clause): boolean {
  if (c.kind === 'pattern') return c.terms[0]?.t !== 'blank' && c.terms[1]?.t !== 'blank';
  if (c.kind === 'fn') return c.binding!.kind === 'scalar' || c.binding!.kind === 'tuple';
  return true;
}

export function compileClauses(clauses: readonly Clause[], entry: readonly string[], entryDistinct = true, estimate?: Estimate, self?: SelfCall): Plan {
  const compile: Compile = (cs, e, d, s) => compileClauses(cs, e, d, estimate, s);
  let distinct = entryDistinct;
  const cols = [...entry];
  const bound = new Set(entry);
  const outer = new Set(entry);
  for (const c of clauses) if (c.kind !== 'not') for (const v of clauseVars(c)) outer.add(v);
  const remaining = [...clauses];
  const steps: Step[] = [];
  while (remaining.length > 0) {
    let best = -1;
    let bestCost = NOT_READY;
    for (let i = 0; i < remaining.length; i++) {
      const k = cost(remaining[i]!, bound, outer, estimate, self);
      if (k < bestCost) {
        best = i;
        bestCost = k;
      }
    }
    if (best < 0) throw new QueryError(describeMissing(remaining[0]!, bound), remaining[0]!.form);
    const [clause] = remaining.splice(best, 1) as [Clause];
    steps.push(compileClause(clause, cols, bound, remaining, compile));
    distinct &&= keepsDistinct(clause);
    for (const v of cols) bound.add(v);
  }
  return { steps, cols, distinct };
}

function compileClause(c: Clause, cols: string[], bound: ReadonlySet<string>, rest: readonly Clause[], compile: Compile): Step {
  switch (c.kind) {
    case 'pattern':
      return compilePattern(c, cols, rangeHint(c, rest, bound, cols));
    case 'pred':
    case 'fn':
      return compileCall(c, cols);
    case 'not':
      return compileNot(c, cols, compile);
    case 'or':
      return compileOr(c, cols, compile);
    case 'rule':
      return compileRuleCall(c, cols, compile);
  }
}
