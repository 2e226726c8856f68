// The Lambda context a local invocation hands the proxy: the fields a deployed proxy would see,
// with the deadline taken from the lambda ion's timeout.
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

export const DEFAULT_TIMEOUT_SECONDS = 6;

export function localLambdaContext(functionName: string, timeoutSeconds = DEFAULT_TIMEOUT_SECONDS, memorySize = 128): Context {
  const deadline = Date.now() + timeoutSeconds * 1000;
  const unsupported = (what: string) => () => {
    throw new Error(`${what} is deprecated in Lambda; return or throw from the handler instead`);
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: String(memorySize),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported('context.done'),
    fail: unsupported('context.fail'),
    succeed: unsupported('context.succeed'),
  };
}
