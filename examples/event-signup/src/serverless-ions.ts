// What the example uses of serverless-ions, imported by package name as in any service. In a revision
// the node that loads it provides these modules itself (one copy of the runtime per node process).
export { alert, event, getConnection, getEnv, kw, q, withSegments } from 'serverless-ions/runtime';
export type { Connection, Database, TxData } from 'serverless-ions/runtime';
export { ionize, s3Objects, sqsBatch, sqsBodyJson } from 'serverless-ions/adapter';
export type { EventIon, Handler, IonRequest, IonResponse } from 'serverless-ions/adapter';
