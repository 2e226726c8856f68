// Event ion types for the event sources ions commonly serve, over @types/aws-lambda.
import type {
  CloudWatchLogsEvent,
  DynamoDBStreamEvent,
  EventBridgeEvent,
  KinesisStreamEvent,
  S3Event,
  ScheduledEvent,
  SNSEvent,
  SQSBatchResponse,
  SQSEvent,
} from 'aws-lambda';
import type { EventIon } from './event-ion.js';
import type { StreamBatchResponse } from './streams.js';

export type S3Ion = EventIon<S3Event>;
/** Returning a batch response reports partial failures; see sqsBatch. */
export type SqsIon = EventIon<SQSEvent, SQSBatchResponse | void>;
export type SnsIon = EventIon<SNSEvent>;
export type EventBridgeIon<DetailType extends string = string, Detail = unknown> = EventIon<EventBridgeEvent<DetailType, Detail>, unknown>;
export type ScheduleIon<Detail = unknown> = EventIon<ScheduledEvent<Detail>, unknown>;
export type DynamoDBStreamIon = EventIon<DynamoDBStreamEvent, StreamBatchResponse | void>;
export type KinesisStreamIon = EventIon<KinesisStreamEvent, StreamBatchResponse | void>;
export type CloudWatchLogsIon = EventIon<CloudWatchLogsEvent>;
