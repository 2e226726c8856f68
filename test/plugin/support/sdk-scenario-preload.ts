// Loaded into a Serverless CLI process with NODE_OPTIONS=--import, before the CLI and the plugin: the
// AWS control plane (CloudFormation, CodeDeploy, Lambda) answers from the test's scenario file, and
// every call is appended to the test's record file. S3 is not mocked: the run talks to s3rver.
//
// The mocks must sit on the very classes the plugin uses. The SDK v3 clients are resolved from the
// plugin's own entry module (IONS_SDK_V3_FROM), exactly as the plugin's `import('@aws-sdk/...')`
// resolves them; the packages are CommonJS, so that import and this require share one module record.
// serverless v3 reads the stack through its own SDK v2 (provider.request); IONS_SDK_V2_FROM names the
// CLI's module that exports its `aws-sdk`, and the stub goes on that instance's CloudFormation client.
import { appendFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mockClient } from 'aws-sdk-client-mock';
import { answer, type MockedService, type RecordedCall, type Scenario } from './sdk-scenario.js';

const setting = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`sdk-scenario-preload: ${name} is not set`);
  return value;
};

const scenario = JSON.parse(readFileSync(setting('IONS_SDK_SCENARIO'), 'utf8')) as Scenario;
const recordFile = setting('IONS_SDK_RECORD');

// Synchronous, so that nothing is lost when the CLI ends the process right after a failing call.
function respond(call: RecordedCall): unknown {
  appendFileSync(recordFile, JSON.stringify(call) + '\n');
  return answer(scenario, call.service, call.command, call.input);
}

const v3 = createRequire(setting('IONS_SDK_V3_FROM'));
const V3_CLIENTS: Array<[MockedService, string, string]> = [
  ['CloudFormation', '@aws-sdk/client-cloudformation', 'CloudFormationClient'],
  ['CodeDeploy', '@aws-sdk/client-codedeploy', 'CodeDeployClient'],
  ['Lambda', '@aws-sdk/client-lambda', 'LambdaClient'],
];

for (const [service, pkg, className] of V3_CLIENTS) {
  const mock = mockClient(v3(pkg)[className]);
  // The stub gets the command object itself: its class names the operation.
  mock.send.callsFake(async (command) => {
    const operation = command.constructor.name.replace(/Command$/, '');
    return respond({ service, command: operation, input: command.input as Record<string, unknown>, sdk: 'v3' }) as { $metadata: object };
  });
}

interface V2Service {
  prototype: { makeRequest(operation: string, params: Record<string, unknown>): unknown };
}

const v2From = process.env.IONS_SDK_V2_FROM;
if (v2From) {
  // makeRequest is where every SDK v2 operation method of a client goes; the caller takes `.promise()`.
  const cloudFormation = (createRequire(import.meta.url)(v2From) as { CloudFormation: V2Service }).CloudFormation;
  cloudFormation.prototype.makeRequest = (operation, params) => ({
    promise: async () =>
      respond({ service: 'CloudFormation', command: operation[0]!.toUpperCase() + operation.slice(1), input: params ?? {}, sdk: 'v2' }),
  });
}
