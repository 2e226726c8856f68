// Where everything of a database lives. One DynamoDB table, key (pk: string, sk: number):
//   pk = db, sk = 0    the head: lastT (the compare-and-set target), the newest append ("pending") and its
//                      appendId (append-id.ts), the writer lease
//   pk = db, sk = -1   the root pointer: rootT, rootBlob
//   pk = db, sk = t    a log entry, t >= 1: its bytes in `d`, or in `s` the name of its object under log/;
//                      in `a` the id of the append it ended
// One S3 bucket, under `prefix`:
//   <prefix><db>/blobs/<sha256>          the database's blobs
//   <prefix><db>/log/<t>-<sha256>-<nonce> log entries too large for an item, one object per upload; the
//                                        entry at t names it for good, or it goes (log-object.ts)
//   <prefix><db>/pending/<sha256>-<nonce> pending lists too large for the head; only the head names one,
//                                        and each goes once its head is replaced (pending-list.ts)
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export const HEAD_SK = 0;
export const ROOT_SK = -1;

/** The table the DynamoDB storage expects; pass it to CreateTable or mirror it in a template. */
export function dynamoTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'N' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    BillingMode: 'PAY_PER_REQUEST',
  };
}

export const blobObjectKey = (prefix: string, db: string, key: string): string => `${prefix}${db}/blobs/${key}`;
export const logObjectKey = (prefix: string, db: string, key: string): string => `${prefix}${db}/log/${key}`;
export const pendingListKey = (prefix: string, db: string, name: string): string => `${prefix}${db}/pending/${name}`;
