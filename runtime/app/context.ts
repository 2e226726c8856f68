// What an app sees of the node it runs on. The node sets the context on start and on every hot swap;
// app code reads it through getAppInfo, getEnv and getConnection, in-process, at memory speed.
//
// A revision bundles its own copy of this module (and of the datom store) with the app code, so the
// context lives on globalThis, where the node's copy and every revision's copy find the same one.
// Connections stay per copy: a connection's database values must come from the same copy of the
// store as the keywords and queries of the code that uses them.
import { connect, type Connection } from '../db/connection.js';
import type { Storage } from '../db/storage/storage.js';
import type { FunctionRegistry } from '../db/types.js';

export interface NodeContext {
  app: string;
  group: string;
  revision: string;
  environment: Record<string, string>;
  parametersPath?: string;
  storage: Storage;
  /** The running revision's allow-listed query and transaction functions. */
  functions: FunctionRegistry;
  local: boolean;
  /**
   * How this node opens a database, by its group's role (a lease-holding writer, a follower); a
   * plain connection on `storage` when absent. Connections opened through it are cached per function.
   */
  openConnection?: (dbName: string) => Promise<Connection>;
}

export interface AppInfo {
  app: string;
  group: string;
  revision: string;
}

const CONTEXT_KEY = Symbol.for('serverless-ions.node-context');
type ContextHolder = { [CONTEXT_KEY]?: NodeContext };
const holder = globalThis as ContextHolder;

// Keyed by the context's openConnection, else its storage: both outlive swaps.
const connections = new WeakMap<object, Map<string, Promise<Connection>>>();
const opener = (context: NodeContext): object => context.openConnection ?? context.storage;

// Connections outlive a swap, so they resolve functions through whatever revision runs now.
const liveFunctions: FunctionRegistry = {
  resolve: (name) => holder[CONTEXT_KEY]?.functions.resolve(name),
};

export function setNodeContext(context: NodeContext): void {
  holder[CONTEXT_KEY] = Object.freeze({ ...context, environment: Object.freeze({ ...context.environment }) });
}

/** Closes the connections this copy opened on the node's storage and forgets the context (node shutdown). */
export async function closeNodeContext(): Promise<void> {
  const context = holder[CONTEXT_KEY];
  delete holder[CONTEXT_KEY];
  if (context === undefined) return;
  const open = [...(connections.get(opener(context))?.values() ?? [])];
  connections.delete(opener(context));
  const results = await Promise.allSettled(open.map(async (c) => (await c).close()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}

function requireContext(caller: string): NodeContext {
  const context = holder[CONTEXT_KEY];
  if (context === undefined) {
    throw new Error(`${caller}: no ions node context; app code must run inside a node (ions dev, ions node, or startNode)`);
  }
  return context;
}

export function getAppInfo(): AppInfo {
  const { app, group, revision } = requireContext('getAppInfo');
  return { app, group, revision };
}

export function getEnv(): Record<string, string> {
  return { ...requireContext('getEnv').environment };
}

/** The parameters path of the running app, when a node runs and configured one. */
export function currentParametersPath(): string | undefined {
  return holder[CONTEXT_KEY]?.parametersPath;
}

/** A connection to database `dbName` as the node's group holds it, opened once and shared. */
export function getConnection(dbName: string): Promise<Connection> {
  const context = requireContext('getConnection');
  if (typeof dbName !== 'string' || dbName.length === 0) {
    throw new TypeError(`getConnection: dbName must be a non-empty string, got ${JSON.stringify(dbName)}`);
  }
  const { storage, openConnection } = context;
  let byName = connections.get(opener(context));
  if (byName === undefined) {
    byName = new Map();
    connections.set(opener(context), byName);
  }
  let connection = byName.get(dbName);
  if (connection === undefined) {
    const opening = Promise.resolve(openConnection === undefined ? connect({ storage, db: dbName, functions: liveFunctions }) : openConnection(dbName));
    byName.set(dbName, opening);
    // A connection that failed to open is not kept: the next call tries again. The caller still
    // receives the rejection through `opening`.
    opening.catch(() => {
      if (byName.get(dbName) === opening) byName.delete(dbName);
    });
    connection = opening;
  }
  return connection;
}
