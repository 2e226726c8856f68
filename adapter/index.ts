// serverless-ions/adapter: what app code imports. Web ions are ring handlers made Lambda handlers by
// `ionize`; event ions take `{ event, context }`, with helpers for the sharp edges of AWS events.
export { ionize } from './ionize.js';
export { requestFromNodeHttp, writeNodeHttpResponse } from './http/node-http.js';
export { httpShapeOf } from './http/shape.js';
export type { HttpShape } from './http/shape.js';
export type { LatticeEventV2, LatticeResult } from './http/lattice.js';
export type {
  Handler,
  HeaderValue,
  HttpEvent,
  HttpResult,
  IonizedHandler,
  IonizeOptions,
  IonRequest,
  IonResponse,
  JsonBody,
  ResponseBody,
} from './types.js';

export { eventIon } from './events/event-ion.js';
export type { EventIon, EventIonInput, EventLambdaHandler } from './events/event-ion.js';
export { sqsBatch } from './events/sqs.js';
export type { SqsBatchOptions, SqsRecordHandler, SqsRecordInput } from './events/sqs.js';
export { streamBatch } from './events/streams.js';
export type { StreamBatchResponse, StreamRecordHandler, StreamRecordInput } from './events/streams.js';
export { s3ObjectKey, s3Objects } from './events/s3.js';
export type { S3ObjectRef } from './events/s3.js';
export { snsMessageJson, sqsBodyJson } from './events/json-messages.js';
export { unmarshallImage, unmarshallValue } from './events/dynamodb-attributes.js';
export type { UnmarshallOptions, Unmarshalled } from './events/dynamodb-attributes.js';
export { kinesisData } from './events/kinesis.js';
export { decodeLogs } from './events/cloudwatch-logs.js';
export type {
  CloudWatchLogsIon,
  DynamoDBStreamIon,
  EventBridgeIon,
  KinesisStreamIon,
  S3Ion,
  ScheduleIon,
  SnsIon,
  SqsIon,
} from './events/types.js';
