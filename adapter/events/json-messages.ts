// SNS messages and SQS bodies are strings; most apps put JSON in them. Parsing fails with the
// message id in the error, so the alert says which message was bad.
import type { SNSEventRecord, SQSRecord } from 'aws-lambda';

function parse<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new SyntaxError(`${what} is not JSON: ${(error as Error).message}`, { cause: error });
  }
}

export function snsMessageJson<T = unknown>(record: SNSEventRecord): T {
  return parse<T>(record.Sns.Message, `SNS message ${record.Sns.MessageId}`);
}

export function sqsBodyJson<T = unknown>(record: SQSRecord): T {
  return parse<T>(record.body, `SQS message ${record.messageId}`);
}
