// Rules, evaluated by tabling: a rule called with some arguments bound gets a table per binding
// pattern, holding the distinct bound inputs asked for and the answers found so far. Rounds evaluate
// every unfinished table until no round finds a new answer or input, which terminates on recursive
// rules (answers are finite sets of values from the database) and only explores what callers ask for.
import type { Clause, Rule, RuleCallClause } from './ast.js';
import type { Env, Plan, Source, Step } from './env.js';
import { runPlan, sourceOf } from './env.js';
import { QueryError } from './errors.js';
import type { Compile } from './join-steps.js';
import { distinctProject, range, withDefaultSource } from './relation-ops.js';
import { slotsFor } from './slots.js';
import { TupleMultiMap, TupleSet } from './tuple-set.js';
import type { Row } from './tuple-set.js';
import { keyOf } from './values.js';

export interface RuleTable {
  readonly name: string;
  /** The database (or collection) the rule's `$` stands for: the caller's source for the call. */
  readonly source: Source;
  /** The environment its bodies run in, with `$` bound to `source`. */
  readonly env: Env;
  readonly mask: readonly boolean[];
  readonly inputs: Row[];
  readonly inputSet: TupleSet;
  readonly answers: Row[];
  readonly answerSet: TupleSet;
  /** Answers by their bound arguments. */
  readonly index: TupleMultiMap;
  /** True once a fixpoint covered every input. */
  complete: boolean;
  /** Per body of the rule, how far semi-naive evaluation got. */
  readonly progress: BodyProgress[];
  readonly form: unknown;
}

/** How a body is re-evaluated in later rounds (semi-naive): a body without rule calls only for new
 *  inputs; a body with one rule call for new inputs against every answer and for old inputs against the
 *  answers that call found since last time; anything else naively, every input against every answer. */
type BodyKind = 'base' | 'linear' | 'other';

interface BodyPlan {
  readonly kind: BodyKind;
  readonly plan: Plan;
  /** Position in an input row of each entry variable of the plan. */
  readonly from: readonly number[];
  /** Input positions that name the same head variable and must be equal. */
  readonly same: readonly (readonly [number, number])[];
  /** Column in the plan's rows of each head argument. */
  readonly headCols: readonly number[];
}

const bodyPlans = new WeakMap<Rule, Map<string, BodyPlan>>();

function countCalls(c: Clause): number {
  switch (c.kind) {
    case 'rule':
      return 1;
    case 'not':
      return c.clauses.reduce((n, x) => n + countCalls(x), 0);
    case 'or':
      return c.branches.reduce((n, b) => n + b.reduce((m, x) => m + countCalls(x), 0), 0);
    default:
      return 0;
  }
}

/** Where one body of one table got to: inputs evaluated, and answers of its rule call already joined. */
export interface BodyProgress {
  inputs: number;
  answers: number;
  /** While the body runs: 'delta' makes its rule call read only answers from `answers` on. */
  mode: 'delta' | 'full';
  /** Set by the rule call: how many answers its table had when read. */
  snapshot: number;
}

function bodyPlan(rule: Rule, mask: readonly boolean[], compile: Compile): BodyPlan {
  const key = mask.map((b) => (b ? 'b' : 'f')).join('');
  let byMask = bodyPlans.get(rule);
  if (byMask === undefined) {
    byMask = new Map();
    bodyPlans.set(rule, byMask);
  }
  let found = byMask.get(key);
  if (found === undefined) {
    const entry: string[] = [];
    const from: number[] = [];
    const same: [number, number][] = [];
    let input = 0;
    rule.head.forEach((v, pos) => {
      if (!mask[pos]) return;
      const at = entry.indexOf(v);
      if (at >= 0) same.push([from[at]!, input]);
      else {
        entry.push(v);
        from.push(input);
      }
      input++;
    });
    const plan = compile(rule.body, entry, true, { name: rule.name, mask: key });
    const calls = rule.body.reduce((n, c) => n + countCalls(c), 0);
    const nested = rule.body.some((c) => c.kind !== 'rule' && countCalls(c) > 0);
    const kind: BodyKind = calls === 0 ? 'base' : calls === 1 && !nested ? 'linear' : 'other';
    const headCols = rule.head.map((v) => {
      const at = plan.cols.indexOf(v);
      if (at < 0) throw new QueryError(`rule ${rule.name}: head variable ${v} is not bound by its body`, rule.form);
      return at;
    });
    found = { kind, plan, from, same, headCols };
    byMask.set(key, found);
  }
  return found;
}

function entryRows(body: BodyPlan, inputs: readonly Row[]): Row[] {
  const rows: Row[] = [];
  for (const input of inputs) {
    if (body.same.some(([i, j]) => keyOf(input[i]) !== keyOf(input[j]))) continue;
    rows.push(body.from.map((i) => input[i]));
  }
  return rows;
}

function evaluate(table: RuleTable, env: Env, compile: Compile): void {
  const state = env.state;
  const rules = state.rules.get(table.name);
  if (rules === undefined) throw new QueryError(`unknown rule ${table.name}`, table.form);
  const renv = table.env;
  rules.forEach((rule, r) => {
    if (rule.head.length !== table.mask.length) {
      throw new QueryError(`rule ${table.name} takes ${rule.head.length} arguments, called with ${table.mask.length}`, table.form);
    }
    const body = bodyPlan(rule, table.mask, compile);
    const progress = (table.progress[r] ??= { inputs: 0, answers: 0, mode: 'full', snapshot: 0 });
    const total = table.inputs.length;
    const fresh = table.inputs.slice(body.kind === 'other' ? 0 : progress.inputs);
    const found: Row[][] = [];
    try {
      if (body.kind === 'linear') {
        state.current = progress;
        progress.snapshot = progress.answers;
        if (progress.inputs > 0) {
          progress.mode = 'delta';
          found.push(runPlan(body.plan, entryRows(body, table.inputs.slice(0, progress.inputs)), renv));
        }
        progress.mode = 'full';
      }
      if (fresh.length > 0) found.push(runPlan(body.plan, entryRows(body, fresh), renv));
    } finally {
      state.current = undefined;
    }
    progress.inputs = total;
    progress.answers = progress.snapshot;
    const arity = body.headCols.length;
    for (const rows of found) {
      for (const row of rows) {
        const answer = new Array<unknown>(arity + 1);
        for (let i = 0; i < arity; i++) answer[i] = row[body.headCols[i]!];
        answer[arity] = table.answers.length;
        if (table.answerSet.add(answer)) {
          table.answers.push(answer);
          table.index.add(answer);
          state.dirty = true;
        }
      }
    }
  });
}

/** Registers `inputs` with the table for (rule, binding pattern) and, unless a fixpoint is already
 *  running (a recursive call), runs rounds until nothing changes. */
function solve(env: Env, clause: RuleCallClause, mask: readonly boolean[], inputs: readonly Row[], compile: Compile): RuleTable {
  const state = env.state;
  // Tables are per source value, not per source name: `$` inside a rule means the caller's source.
  const source = sourceOf(env, clause.src, clause.form);
  let sourceId = state.sourceIds.get(source);
  if (sourceId === undefined) {
    sourceId = state.sourceIds.size;
    state.sourceIds.set(source, sourceId);
  }
  const key = `${sourceId} ${clause.name} ${mask.map((b) => (b ? 'b' : 'f')).join('')}`;
  let table = state.tables.get(key);
  if (table === undefined) {
    const bound = mask.flatMap((b, i) => (b ? [i] : []));
    table = {
      name: clause.name,
      source,
      env: withDefaultSource(env, clause.src, clause.form),
      mask,
      inputs: [],
      inputSet: new TupleSet(range(bound.length)),
      answers: [],
      answerSet: new TupleSet(range(mask.length)),
      index: new TupleMultiMap(bound),
      complete: false,
      progress: [],
      form: clause.form,
    };
    state.tables.set(key, table);
  }
  for (const input of inputs) {
    if (table.inputSet.add(input)) {
      table.inputs.push(input);
      table.complete = false;
      state.dirty = true;
    }
  }
  if (state.solving) return table;
  state.solving = true;
  try {
    do {
      state.dirty = false;
      for (const t of state.tables.values()) if (!t.complete) evaluate(t, env, compile);
    } while (state.dirty);
    for (const t of state.tables.values()) t.complete = true;
  } finally {
    state.solving = false;
  }
  return table;
}

export function compileRuleCall(clause: RuleCallClause, cols: string[], compile: Compile): Step {
  const slots = slotsFor(clause.args, cols);
  const mask = slots.map((s) => s.k === 'const' || s.k === 'bound');
  const boundCols = slots.flatMap((s) => (s.k === 'bound' ? [s.col] : []));
  const probeCols = range(mask.filter(Boolean).length);
  const probe = (row: Row): Row => slots.flatMap((s) => (s.k === 'const' ? [s.value] : s.k === 'bound' ? [row[s.col]] : []));
  // Without constants among the arguments, rows are probed in place by their bound columns.
  const needsProbe = slots.some((s) => s.k === 'const');
  const newAt = slots.flatMap((s, i) => (s.k === 'new' ? [i] : []));
  const dupAt = slots.flatMap((s, i) => (s.k === 'dup' ? [[i, s.col] as const] : []));
  const arity = mask.length;
  return (rows, env) => {
    const inputs = needsProbe ? distinctProject(rows.map(probe), probeCols) : distinctProject(rows, boundCols);
    const table = solve(env, clause, mask, inputs, compile);
    // Inside a semi-naive round, a body's only rule call reads just the answers new since last time.
    const progress = env.state.current;
    let from = 0;
    if (progress !== undefined) {
      if (progress.mode === 'delta') from = progress.answers;
      progress.snapshot = table.answers.length;
    }
    const index = table.index;
    const out: Row[] = [];
    for (const row of rows) {
      const matches = needsProbe ? index.get(probe(row), probeCols) : index.get(row, boundCols);
      if (matches === undefined) continue;
      // Answers sit in their buckets in the order they were found, numbered in their last column.
      next: for (let j = matches.length - 1; j >= 0; j--) {
        const m = matches[j]!;
        if ((m[arity] as number) < from) break;
        const r = row.slice();
        for (const i of newAt) r.push(m[i]);
        for (const [i, col] of dupAt) if (keyOf(r[col]) !== keyOf(m[i])) continue next;
        out.push(r);
      }
    }
    return out;
  };
}
