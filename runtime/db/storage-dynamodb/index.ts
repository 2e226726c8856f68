export { dynamoTableDefinition } from './dynamo-layout.js';
export { dynamoStorage, type DynamoStorageOptions } from './dynamo-storage.js';
