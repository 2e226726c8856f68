// SQS partial batch failures. Without them one bad message fails the whole batch and every message
// in it comes back. With `ReportBatchItemFailures` on the event source mapping, the function names the
// messages that failed and only those return to the queue. FIFO queues must keep order: after the
// first failure nothing later in the batch may be processed, so the rest are reported failed unprocessed.
import type { Context, SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { alert } from '../../runtime/cast/index.js';
import type { EventIon } from './event-ion.js';

export interface SqsRecordInput {
  readonly record: SQSRecord;
  readonly event: SQSEvent;
  readonly context: Context;
}

export type SqsRecordHandler = (input: SqsRecordInput) => unknown;

export interface SqsBatchOptions {
  /** Records of a standard queue processed at once (default 10). FIFO queues go one at a time. */
  readonly concurrency?: number;
}

function isFifo(record: SQSRecord): boolean {
  return record.eventSourceARN.endsWith('.fifo');
}

function failed(record: SQSRecord, error: unknown, context: Context): SQSBatchItemFailure {
  alert({ msg: 'sqs record failed', ex: error, messageId: record.messageId, queue: record.eventSourceARN, requestId: context?.awsRequestId });
  return { itemIdentifier: record.messageId };
}

async function inOrder(records: readonly SQSRecord[], handle: (record: SQSRecord) => Promise<unknown>, context: Context): Promise<SQSBatchItemFailure[]> {
  for (let i = 0; i < records.length; i++) {
    try {
      await handle(records[i]!);
    } catch (error) {
      return [failed(records[i]!, error, context), ...records.slice(i + 1).map((record) => ({ itemIdentifier: record.messageId }))];
    }
  }
  return [];
}

async function concurrently(
  records: readonly SQSRecord[],
  handle: (record: SQSRecord) => Promise<unknown>,
  context: Context,
  concurrency: number,
): Promise<SQSBatchItemFailure[]> {
  const outcomes: (SQSBatchItemFailure | undefined)[] = new Array(records.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < records.length) {
      const index = next++;
      try {
        await handle(records[index]!);
      } catch (error) {
        outcomes[index] = failed(records[index]!, error, context);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, records.length) }, worker));
  return outcomes.filter((outcome): outcome is SQSBatchItemFailure => outcome !== undefined);
}

/** An event ion that runs `handleRecord` per message and reports the failed ones in `batchItemFailures`. */
export function sqsBatch(handleRecord: SqsRecordHandler, options: SqsBatchOptions = {}): EventIon<SQSEvent, SQSBatchResponse> {
  const concurrency = options.concurrency ?? 10;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`sqsBatch options.concurrency must be a positive integer, got ${String(concurrency)}`);
  }
  return async ({ event, context }) => {
    const records = event.Records;
    const handle = async (record: SQSRecord): Promise<unknown> => handleRecord({ record, event, context });
    const batchItemFailures =
      records.length > 0 && isFifo(records[0]!) ? await inOrder(records, handle, context) : await concurrently(records, handle, context, concurrency);
    return { batchItemFailures };
  };
}
