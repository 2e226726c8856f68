// How a failed AWS call reaches the caller: throttling, server errors and an endpoint that cannot be
// reached are a retryable StorageUnavailableError; anything else keeps its own name and message.
import { StorageUnavailableError } from '../storage/errors.js';

const UNREACHABLE_SYSCALLS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);
const RETRYABLE_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'SlowDown',
  'TimeoutError',
  'RequestTimeout',
]);

interface AwsError extends Error {
  readonly code?: string;
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

function isRetryable(error: AwsError): boolean {
  const status = error.$metadata?.httpStatusCode ?? 0;
  if (error.$retryable !== undefined || status >= 500 || status === 429 || RETRYABLE_NAMES.has(error.name)) return true;
  if (error.code !== undefined && UNREACHABLE_SYSCALLS.has(error.code)) return true;
  return error instanceof AggregateError && error.errors.some((inner) => inner instanceof Error && isRetryable(inner));
}

export const errorName = (error: unknown): string | undefined => (error instanceof Error ? error.name : undefined);

/** The error a caller sees for `error`, thrown while doing `what` against `service`. */
export function storageError(error: unknown, what: string, service: string): Error {
  if (!(error instanceof Error)) return new Error(`${what} on ${service} failed: ${String(error)}`);
  const aws = error as AwsError;
  const message = error.message === '' && error instanceof AggregateError ? error.errors.map((inner: Error) => inner.message).join('; ') : error.message;
  const text = `${what} on ${service} failed: ${aws.code ?? error.name}: ${message}`;
  return isRetryable(aws) ? new StorageUnavailableError(text) : new Error(text);
}
