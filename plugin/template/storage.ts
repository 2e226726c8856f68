// Storage of the datom store when deployed on DynamoDB (the default): a table for the transaction log
// with point-in-time recovery and server-side encryption, and a bucket for index segments.
import type { IonsModel } from '../model.js';
import { privateBucket } from './buckets.js';
import type { TemplatePart } from './cfn.js';

export const LOG_TABLE = 'IonsLogTable';
export const SEGMENTS_BUCKET = 'IonsSegmentsBucket';

export function storagePart(model: IonsModel): TemplatePart {
  if (model.storageType !== 'dynamodb') return { Resources: {} };
  return {
    Resources: {
      [LOG_TABLE]: {
        Type: 'AWS::DynamoDB::Table',
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          SSESpecification: { SSEEnabled: true },
          Tags: [{ Key: 'ions:app', Value: model.config.app }],
        },
      },
      ...privateBucket(SEGMENTS_BUCKET, 'index-segments'),
    },
  };
}
