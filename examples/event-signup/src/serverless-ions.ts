// This example lives inside the serverless-ions repository, so it imports the package's own source.
// In your service, import these from 'serverless-ions/runtime' and 'serverless-ions/adapter'.
export { alert, event, getConnection, getEnv, kw, q } from '../../../runtime/index.js';
export type { Connection, Database, TxData } from '../../../runtime/index.js';
export { ionize, s3Objects, sqsBatch, sqsBodyJson } from '../../../adapter/index.js';
export type { EventIon, Handler, IonRequest, IonResponse } from '../../../adapter/index.js';
