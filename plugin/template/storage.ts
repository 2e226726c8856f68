// Storage of the datom store when deployed on DynamoDB (the default): a table for the transaction log
// with point-in-time recovery and server-side encryption, and a bucket for index segments.
import { dynamoTableDefinition } from '../../runtime/db/storage-dynamodb/dynamo-layout.js';
import type { IonsModel } from '../model.js';
import { privateBucket } from './buckets.js';
import type { TemplatePart } from './cfn.js';

export const LOG_TABLE = 'IonsLogTable';
export const SEGMENTS_BUCKET = 'IonsSegmentsBucket';

export function storagePart(model: IonsModel): TemplatePart {
  if (model.storageType !== 'dynamodb') return { Resources: {} };
  // The key layout is the backend's own (CloudFormation names the table, so its name is dropped):
  // the template can never create a table the storage cannot use.
  const { TableName: _named, ...layout } = dynamoTableDefinition(LOG_TABLE);
  return {
    Resources: {
      [LOG_TABLE]: {
        Type: 'AWS::DynamoDB::Table',
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          ...layout,
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          SSESpecification: { SSEEnabled: true },
          Tags: [{ Key: 'ions:app', Value: model.config.app }],
        },
      },
      ...privateBucket(SEGMENTS_BUCKET, 'index-segments'),
    },
  };
}
