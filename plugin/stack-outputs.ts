// What push, deploy and status need from the deployed stack: its outputs, read through the
// framework's own AWS access (its credentials, profile and region).
import type { AwsProvider, Serverless } from './serverless-api.js';
import { UserInputError } from './invoke.js';

export interface IonsStackOutputs {
  codeBucket: string;
  application: string;
}

interface DescribeStacks {
  Stacks?: Array<{ Outputs?: Array<{ OutputKey?: string; OutputValue?: string }> }>;
}

export async function ionsStackOutputs(serverless: Serverless): Promise<IonsStackOutputs> {
  const provider = serverless.getProvider('aws');
  const stackName = provider.naming.getStackName();
  let answer: DescribeStacks;
  try {
    answer = await describeStack(provider, stackName);
  } catch (error) {
    throw new UserInputError(`cannot read stack ${stackName} (${(error as Error).message}); run serverless deploy first`);
  }
  const outputs = new Map((answer.Stacks?.[0]?.Outputs ?? []).map((output) => [output.OutputKey, output.OutputValue]));
  const read = (key: string): string => {
    const value = outputs.get(key);
    if (!value) throw new UserInputError(`stack ${stackName} has no output ${key}: deploy the stack with this plugin first (serverless deploy)`);
    return value;
  };
  return { codeBucket: read('IonsCodeBucket'), application: read('IonsCodeDeployApplication') };
}

/** osls 4 removed the SDK v2 `request()` and hands out an SDK v3 client config instead; serverless v3 has only `request()`. */
async function describeStack(provider: AwsProvider, stackName: string): Promise<DescribeStacks> {
  if (!provider.getAwsSdkV3Config) return (await provider.request('CloudFormation', 'describeStacks', { StackName: stackName })) as DescribeStacks;
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const cloudFormation = new CloudFormationClient(await provider.getAwsSdkV3Config());
  try {
    return await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
  } finally {
    cloudFormation.destroy();
  }
}
