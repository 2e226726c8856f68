// The parsed shape of a query: what parse.ts produces and plan.ts consumes.

export type Term =
  | { readonly t: 'var'; readonly name: string }
  | { readonly t: 'blank' }
  | { readonly t: 'src'; readonly name: string }
  | { readonly t: 'const'; readonly value: unknown };

/** How a value is bound to variables: `?x`, `[?a ?b]`, `[?x ...]`, `[[?a ?b]]`; null is `_`. */
export type Binding =
  | { readonly kind: 'scalar'; readonly v: string | null }
  | { readonly kind: 'tuple'; readonly vars: readonly (string | null)[] }
  | { readonly kind: 'coll'; readonly v: string | null }
  | { readonly kind: 'rel'; readonly vars: readonly (string | null)[] };

export interface PatternClause {
  readonly kind: 'pattern';
  readonly src: string;
  /** e, a, v, tx, added; shorter patterns leave the rest open. */
  readonly terms: readonly Term[];
  readonly form: unknown;
}

export interface CallClause {
  readonly kind: 'pred' | 'fn';
  readonly fn: string;
  readonly args: readonly Term[];
  /** Only for 'fn'. */
  readonly binding?: Binding;
  readonly form: unknown;
}

export interface RuleCallClause {
  readonly kind: 'rule';
  readonly src: string;
  readonly name: string;
  readonly args: readonly Term[];
  readonly form: unknown;
}

export interface NotClause {
  readonly kind: 'not';
  readonly src: string;
  /** The variables it joins on: declared by not-join, else every variable in it. */
  readonly joinVars: readonly string[];
  /** not-join: its join variables must all be bound before it runs. */
  readonly declared: boolean;
  readonly clauses: readonly Clause[];
  readonly form: unknown;
}

export interface OrClause {
  readonly kind: 'or';
  readonly src: string;
  readonly joinVars: readonly string[];
  /** or-join's `[?x]` variables that must be bound before it runs. */
  readonly required: readonly string[];
  readonly branches: readonly (readonly Clause[])[];
  readonly form: unknown;
}

export type Clause = PatternClause | CallClause | RuleCallClause | NotClause | OrClause;

export type FindElem =
  | { readonly kind: 'var'; readonly name: string }
  | { readonly kind: 'agg'; readonly fn: string; readonly params: readonly unknown[]; readonly arg: string; readonly form: unknown }
  | { readonly kind: 'pull'; readonly src: string; readonly v: string; readonly pattern: unknown; readonly form: unknown };

export type InBinding = { readonly kind: 'src'; readonly name: string } | { readonly kind: 'rules' } | { readonly kind: 'binding'; readonly binding: Binding };

export interface Rule {
  readonly name: string;
  readonly head: readonly string[];
  readonly body: readonly Clause[];
  readonly form: unknown;
}

export interface Query {
  readonly find: readonly FindElem[];
  readonly shape: 'rel' | 'scalar' | 'coll' | 'tuple';
  readonly keys?: { readonly kind: 'keys' | 'strs' | 'syms'; readonly names: readonly string[] };
  readonly inputs: readonly InBinding[];
  readonly with: readonly string[];
  readonly where: readonly Clause[];
  readonly form: unknown;
}

/** Variables a clause shares with the clauses around it. */
export function clauseVars(clause: Clause): string[] {
  switch (clause.kind) {
    case 'pattern':
      return termVars(clause.terms);
    case 'rule':
    case 'pred':
      return termVars(clause.args);
    case 'fn':
      return [...termVars(clause.args), ...bindingVars(clause.binding!)];
    case 'not':
    case 'or':
      return [...clause.joinVars];
  }
}

export function termVars(terms: readonly Term[]): string[] {
  const out: string[] = [];
  for (const t of terms) if (t.t === 'var' && !out.includes(t.name)) out.push(t.name);
  return out;
}

export function bindingVars(binding: Binding): string[] {
  switch (binding.kind) {
    case 'scalar':
    case 'coll':
      return binding.v === null ? [] : [binding.v];
    case 'tuple':
    case 'rel':
      return binding.vars.filter((v): v is string => v !== null);
  }
}
