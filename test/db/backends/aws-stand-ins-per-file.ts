// The AWS stand-ins as one test file uses them. Apart from servers.ts because it registers vitest
// hooks, and child processes of the tests import servers.ts outside vitest.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll } from 'vitest';
import { startAwsStandIns, type AwsStandIns } from './servers.js';

type ClientPair = { dynamo: DynamoDBClient; s3: S3Client };

/**
 * The AWS stand-ins for one test file: started before its tests; after them every client handed to
 * `track` is destroyed and the stand-ins stop.
 */
export function useAwsStandIns(): { readonly aws: AwsStandIns; track<P extends ClientPair>(pair: P): P } {
  let aws: AwsStandIns | undefined;
  const pairs: ClientPair[] = [];
  beforeAll(async () => {
    aws = await startAwsStandIns();
  });
  afterAll(async () => {
    for (const { dynamo, s3 } of pairs) {
      dynamo.destroy();
      s3.destroy();
    }
    await aws?.stop();
  });
  return {
    get aws(): AwsStandIns {
      if (aws === undefined) throw new Error('the AWS stand-ins start in beforeAll: use them inside hooks and tests');
      return aws;
    },
    track<P extends ClientPair>(pair: P): P {
      pairs.push(pair);
      return pair;
    },
  };
}
