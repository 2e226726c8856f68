// How a failed pg call reaches the caller: a server that cannot be reached (or is shutting down, or
// out of connections) is a retryable StorageUnavailableError; anything else keeps its own message.
// Every message names the server without its password, and has the password scrubbed out of it.
import { StorageUnavailableError } from '../storage/errors.js';

const UNREACHABLE_SYSCALLS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);
/** SQLSTATEs after which the same call may succeed later: shutdown, too many connections, lost serialization. */
const RETRYABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '40001', '40P01']);
const UNREACHABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|connection error and is not queryable/i;

/** What a message may say about the server: `user@host:port/database`, never the password. */
export interface ServerDescription {
  readonly label: string;
  readonly secrets: readonly string[];
}

export function describeServer(config: { connectionString?: string; host?: string; port?: number; user?: string; database?: string; password?: unknown }): ServerDescription {
  const secrets = typeof config.password === 'string' && config.password !== '' ? [config.password] : [];
  if (config.connectionString !== undefined) {
    try {
      const url = new URL(config.connectionString);
      if (url.password !== '') secrets.push(url.password, decodeURIComponent(url.password));
      const user = url.username === '' ? '' : `${decodeURIComponent(url.username)}@`;
      return { label: `${user}${url.hostname}${url.port === '' ? '' : `:${url.port}`}${url.pathname}`, secrets };
    } catch {
      // a keyword/value connection string: it may hold the password anywhere, so none of it is shown
      return { label: '(server from the connection string)', secrets: [config.connectionString, ...secrets] };
    }
  }
  const user = config.user === undefined ? '' : `${config.user}@`;
  return { label: `${user}${config.host ?? 'localhost'}:${config.port ?? 5432}/${config.database ?? ''}`, secrets };
}

export function redact(text: string, server: ServerDescription): string {
  let out = text;
  for (const secret of server.secrets) if (secret !== '') out = out.split(secret).join('***');
  return out;
}

function isUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNREACHABLE_SYSCALLS.has(code) || RETRYABLE_SQLSTATES.has(code) || code.startsWith('08'))) return true;
  if (error instanceof AggregateError) return error.errors.some(isUnreachable);
  return UNREACHABLE_MESSAGES.test(error.message);
}

// Node reports a refused connection to every address of a host as an AggregateError with no message.
function messageOf(error: Error): string {
  if (error.message !== '' || !(error instanceof AggregateError)) return error.message;
  return error.errors.map((inner: unknown) => (inner instanceof Error ? inner.message : String(inner))).join('; ');
}

// Failures of a connection that was open when the statement went out: the server may have run and
// committed the statement before the connection broke, its answer lost on the way back.
const LOST_CONNECTION_SYSCALLS = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE']);
/** The server ended the session (pg_terminate_backend, a shutdown), perhaps just after committing the statement. */
const ENDED_SESSION_SQLSTATES = new Set(['57P01', '57P02']);

/**
 * Whether `error`, thrown by a statement on a connection that was open, leaves unknown whether the
 * statement committed: the connection broke before its answer arrived. An error the server answered
 * with (a constraint violation, a serialization failure) means the statement's transaction was rolled back.
 */
export function lostMidStatement(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return LOST_CONNECTION_SYSCALLS.has(code) || ENDED_SESSION_SQLSTATES.has(code) || code.startsWith('08');
  return /Connection terminated/i.test(error.message);
}

/** The error a caller sees for `error`, thrown while doing `what` against `server`. */
export function storageError(error: unknown, what: string, server: ServerDescription): Error {
  const detail = error instanceof Error ? `${(error as { code?: unknown }).code ?? error.name}: ${messageOf(error)}` : String(error);
  const message = redact(`${what} on PostgreSQL ${server.label} failed: ${detail}`, server);
  if (isUnreachable(error)) return new StorageUnavailableError(message);
  return new Error(message);
}
