// What a revision's config says about its proxy Lambdas, and the smallest update that makes a deployed
// proxy match it. Settings the config leaves out keep whatever the stack gave them.
import { GetFunctionConfigurationCommand, UpdateFunctionConfigurationCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { IonsConfig } from '../config/ions-config.js';
import { PROXY_ENV } from '../protocol/proxy-env.js';

export interface ProxySettings {
  functionName: string;
  lambda: string;
  description?: string;
  timeout?: number;
  memorySize?: number;
  integration: 'api-gateway' | 'event';
}

/** The group a lambda ion forwards to: its own, else the first group that is not a query group. */
export function lambdaGroup(config: IonsConfig, lambda: string): string | undefined {
  const own = config.lambdas?.[lambda]?.group;
  if (own) return own;
  const groups = Object.entries(config.groups ?? {});
  return (groups.find(([, group]) => !group.queryGroup) ?? groups[0])?.[0];
}

export function proxySettings(config: IonsConfig, group: string, functionName: (group: string, lambda: string) => string): ProxySettings[] {
  return Object.entries(config.lambdas ?? {})
    .filter(([lambda]) => lambdaGroup(config, lambda) === group)
    .map(([lambda, ion]) => ({
      functionName: functionName(group, lambda),
      lambda,
      ...(ion.description !== undefined ? { description: ion.description } : {}),
      ...(ion.timeout !== undefined ? { timeout: ion.timeout } : {}),
      ...(ion.memorySize !== undefined ? { memorySize: ion.memorySize } : {}),
      integration: ion.integration ?? 'event',
    }));
}

export interface ProxyUpdate {
  functionName: string;
  /** The fields that differed; empty when the Lambda already matched and nothing was called. */
  changed: string[];
}

export async function reconcileProxy(lambda: LambdaClient, wanted: ProxySettings): Promise<ProxyUpdate> {
  const current = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: wanted.functionName })).catch((error: unknown) => {
    throw new Error(`cannot read proxy Lambda ${wanted.functionName} (lambda ion ${wanted.lambda}): ${(error as Error).message}; is the stack deployed?`, {
      cause: error,
    });
  });
  const update: UpdateFunctionConfigurationCommand['input'] = { FunctionName: wanted.functionName };
  const changed: string[] = [];
  if (wanted.description !== undefined && wanted.description !== current.Description) {
    update.Description = wanted.description;
    changed.push('Description');
  }
  if (wanted.timeout !== undefined && wanted.timeout !== current.Timeout) {
    update.Timeout = wanted.timeout;
    changed.push('Timeout');
  }
  if (wanted.memorySize !== undefined && wanted.memorySize !== current.MemorySize) {
    update.MemorySize = wanted.memorySize;
    changed.push('MemorySize');
  }
  const variables = current.Environment?.Variables ?? {};
  if (variables[PROXY_ENV.integration] !== wanted.integration) {
    // The update replaces the whole environment, so every other variable goes back as it was.
    update.Environment = { Variables: { ...variables, [PROXY_ENV.integration]: wanted.integration } };
    changed.push(`Environment.${PROXY_ENV.integration}`);
  }
  if (changed.length > 0) {
    await lambda.send(new UpdateFunctionConfigurationCommand(update)).catch((error: unknown) => {
      throw new Error(`updating proxy Lambda ${wanted.functionName} (${changed.join(', ')}) failed: ${(error as Error).message}`, { cause: error });
    });
  }
  return { functionName: wanted.functionName, changed };
}
