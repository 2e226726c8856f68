// Kinesis record payloads arrive base64-encoded.
import type { KinesisStreamRecord } from 'aws-lambda';

export function kinesisData(record: KinesisStreamRecord): Buffer {
  return Buffer.from(record.kinesis.data, 'base64');
}
