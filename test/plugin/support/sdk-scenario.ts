// What the AWS control plane answers in a CLI run (a scenario the test writes), and the calls the run
// made (recorded by the preload in the CLI process, read back by the test). Plain JSON both ways.
import { existsSync, readFileSync } from 'node:fs';

export type MockedService = 'CloudFormation' | 'CodeDeploy' | 'Lambda';

export interface ScenarioRule {
  service: MockedService;
  /** The operation: `CreateDeployment` (SDK v3 `CreateDeploymentCommand`, SDK v2 `createDeployment`). */
  command: string;
  /** Matches calls whose input holds these values (deeply; other fields may differ). */
  input?: Record<string, unknown>;
  resolves?: unknown;
  /** An AWS service error: its name (error code), message and HTTP status. */
  rejects?: { name: string; message: string; httpStatusCode: number };
}

export interface Scenario {
  /** The first rule that matches a call answers it; a call no rule matches fails the CLI run. */
  rules: ScenarioRule[];
}

export interface RecordedCall {
  service: MockedService;
  command: string;
  input: Record<string, unknown>;
  /** Which SDK the call went through: serverless v3 reads the stack with v2, the plugin uses v3. */
  sdk: 'v2' | 'v3';
}

/** `value` holds everything `pattern` says, recursively; arrays must match element by element. */
export function holds(value: unknown, pattern: unknown): boolean {
  if (Array.isArray(pattern)) return Array.isArray(value) && value.length === pattern.length && pattern.every((p, i) => holds(value[i], p));
  if (pattern !== null && typeof pattern === 'object') {
    if (value === null || typeof value !== 'object') return false;
    return Object.entries(pattern).every(([key, p]) => holds((value as Record<string, unknown>)[key], p));
  }
  return Object.is(value, pattern);
}

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** The SDK hands timestamps to its callers as Dates; a scenario written as JSON holds ISO strings. */
export function withDates(value: unknown): unknown {
  if (typeof value === 'string' && ISO_TIMESTAMP.test(value)) return new Date(value);
  if (Array.isArray(value)) return value.map(withDates);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, withDates(v)]));
  return value;
}

/** The answer to one call, as the SDK would give it: a result, or a thrown service error. */
export function answer(scenario: Scenario, service: MockedService, command: string, input: Record<string, unknown>): unknown {
  const rule = scenario.rules.find((r) => r.service === service && r.command === command && holds(input, r.input ?? {}));
  if (!rule) throw new Error(`the test scenario has no answer for ${service} ${command} ${JSON.stringify(input)}`);
  if (rule.rejects) {
    const { name, message, httpStatusCode } = rule.rejects;
    // The fields SDK v3 service exceptions carry ($metadata) and SDK v2 errors carry (code, statusCode).
    throw Object.assign(new Error(message), { name, code: name, statusCode: httpStatusCode, $metadata: { httpStatusCode } });
  }
  return withDates(rule.resolves ?? {});
}

export function readCalls(file: string): RecordedCall[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RecordedCall);
}
