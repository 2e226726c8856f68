// One SSM parameter, read at node start. The SDK client is imported here, on first use, so a node
// that reads nothing from SSM never loads it. Values never appear in errors: some are secrets.
export async function readParameter(name: string, purpose: string, options: { decrypt: boolean }): Promise<string> {
  const { SSMClient, GetParameterCommand } = await import('@aws-sdk/client-ssm');
  const client = new SSMClient({});
  let value: string | undefined;
  try {
    value = (await client.send(new GetParameterCommand({ Name: name, WithDecryption: options.decrypt }))).Parameter?.Value;
  } catch (error) {
    throw new Error(`cannot read SSM parameter ${name} (${purpose}): ${(error as Error).name}: ${(error as Error).message}`, { cause: error });
  } finally {
    client.destroy();
  }
  if (value === undefined || value === '') throw new Error(`SSM parameter ${name} (${purpose}) has no value`);
  return value;
}
