// The Lambda context an ion sees on a node, rebuilt from what the proxy forwarded. The remaining time
// counts down to the proxy's deadline, so an ion can still budget its work as it would in Lambda.
import type { Context } from 'aws-lambda';
import type { InvokeContext } from '../protocol/wire.js';

const unsupported = (name: string) => (): never => {
  throw new Error(`context.${name} is not supported on an ions node: return (or throw) from the ion instead`);
};
const done = unsupported('done');
const fail = unsupported('fail');
const succeed = unsupported('succeed');

export function lambdaContext(forwarded: InvokeContext): Context {
  return {
    awsRequestId: forwarded.awsRequestId,
    functionName: forwarded.functionName,
    invokedFunctionArn: forwarded.invokedFunctionArn ?? '',
    identity: forwarded.identity as Context['identity'],
    clientContext: forwarded.clientContext as Context['clientContext'],
    functionVersion: '$LATEST',
    memoryLimitInMB: '',
    logGroupName: '',
    logStreamName: '',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => Math.max(0, forwarded.deadline - Date.now()),
    done,
    fail,
    succeed,
  };
}

/** Checks the shape of a forwarded context; the message says which field is wrong. */
export function readInvokeContext(value: unknown): InvokeContext {
  const c = value as Partial<InvokeContext> | null;
  if (!c || typeof c !== 'object') throw new Error('"context" must be an object');
  if (typeof c.awsRequestId !== 'string') throw new Error('"context.awsRequestId" must be a string');
  if (typeof c.deadline !== 'number' || !Number.isFinite(c.deadline)) throw new Error('"context.deadline" must be epoch milliseconds');
  if (typeof c.functionName !== 'string') throw new Error('"context.functionName" must be a string');
  return c as InvokeContext;
}
