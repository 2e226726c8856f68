// Kinesis and DynamoDB stream batches. Stream records are ordered per shard, so they are processed
// one by one; at the first failure the batch stops and reports that record's sequence number, from
// which Lambda retries (with `ReportBatchItemFailures` on the event source mapping) instead of
// replaying the records that already succeeded.
import type { Context, DynamoDBRecord, DynamoDBStreamEvent, KinesisStreamEvent, KinesisStreamRecord, KinesisStreamBatchResponse } from 'aws-lambda';
import { alert } from '../../runtime/cast/index.js';
import type { EventIon } from './event-ion.js';

type StreamEvent = KinesisStreamEvent | DynamoDBStreamEvent;
/** Kinesis and DynamoDB batch responses have the same shape. */
export type StreamBatchResponse = KinesisStreamBatchResponse;
type StreamRecordOf<E extends StreamEvent> = E['Records'][number];

export interface StreamRecordInput<E extends StreamEvent> {
  readonly record: StreamRecordOf<E>;
  readonly event: E;
  readonly context: Context;
}

export type StreamRecordHandler<E extends StreamEvent> = (input: StreamRecordInput<E>) => unknown;

function sequenceNumberOf(record: KinesisStreamRecord | DynamoDBRecord): string {
  const sequenceNumber = 'kinesis' in record ? record.kinesis.sequenceNumber : record.dynamodb?.SequenceNumber;
  if (sequenceNumber === undefined) {
    throw new TypeError(`stream record ${record.eventID ?? '(no eventID)'} has no sequence number to report as a batch item failure`);
  }
  return sequenceNumber;
}

export function streamBatch<E extends StreamEvent>(handleRecord: StreamRecordHandler<E>): EventIon<E, StreamBatchResponse> {
  return async ({ event, context }) => {
    for (const record of event.Records as StreamRecordOf<E>[]) {
      try {
        await handleRecord({ record, event, context });
      } catch (error) {
        const itemIdentifier = sequenceNumberOf(record);
        alert({ msg: 'stream record failed', ex: error, sequenceNumber: itemIdentifier, source: record.eventSourceARN, requestId: context?.awsRequestId });
        return { batchItemFailures: [{ itemIdentifier }] };
      }
    }
    return { batchItemFailures: [] };
  };
}
