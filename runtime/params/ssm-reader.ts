// Reads every parameter under an SSM path, decrypted, following NextToken to the last page.
import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { relativeName } from './param-path.js';

let defaultClient: SSMClient | undefined;

function ssmClient(): SSMClient {
  defaultClient ??= new SSMClient({});
  return defaultClient;
}

export async function readParametersByPath(path: string, client: SSMClient = ssmClient()): Promise<Record<string, string>> {
  const params: Record<string, string> = {};
  let nextToken: string | undefined;
  do {
    let page;
    try {
      page = await client.send(
        new GetParametersByPathCommand({ Path: path, Recursive: true, WithDecryption: true, NextToken: nextToken }),
      );
    } catch (err) {
      // SSM's own messages name the path and the failing permission, never a value.
      const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      throw new Error(`getParams: could not read SSM parameters under ${path} (${detail})`, { cause: err });
    }
    for (const p of page.Parameters ?? []) {
      if (p.Name === undefined || p.Value === undefined) continue;
      params[relativeName(path, p.Name)] = p.Value;
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return params;
}
