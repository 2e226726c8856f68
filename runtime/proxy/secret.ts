// Where a proxy finds the HMAC key: an SSM SecureString when deployed, a file or a variable in dev.
// The SSM client is imported only on the deployed path, from the Lambda runtime's own SDK (it is an
// external of the bundle), so the dev path never loads it and the bundle never carries it.
import { readFile } from 'node:fs/promises';
import { PROXY_ENV } from '../protocol/proxy-env.js';

export type ProxyEnvVars = Record<string, string | undefined>;

export async function loadSecret(env: ProxyEnvVars): Promise<string> {
  const parameter = env[PROXY_ENV.secretParameter];
  if (parameter) return readSecureString(parameter);
  const file = env[PROXY_ENV.secretFile];
  if (file) {
    const key = (await readFile(file, 'utf8')).trim();
    if (!key) throw new Error(`${PROXY_ENV.secretFile} names an empty file: ${file}`);
    return key;
  }
  const key = env[PROXY_ENV.secret];
  if (key) return key;
  throw new Error(
    `no HMAC key: set ${PROXY_ENV.secretParameter} (deployed), or ${PROXY_ENV.secretFile} or ${PROXY_ENV.secret} (dev)`,
  );
}

async function readSecureString(name: string): Promise<string> {
  const { SSMClient, GetParameterCommand } = await import('@aws-sdk/client-ssm');
  const answer = await new SSMClient({}).send(new GetParameterCommand({ Name: name, WithDecryption: true }));
  const key = answer.Parameter?.Value;
  if (!key) throw new Error(`SSM parameter ${name} has no value`);
  return key;
}
