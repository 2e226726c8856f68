// Function URLs of the proxies. Serverless compiles a function's `url` property into the
// AWS::Lambda::Url, its public-access permission and a stack output; this module writes that property
// and adds the one permission serverless v3 leaves out.
import type { LambdaIonConfig } from '../runtime/config/ions-config.js';
import type { IonsModel } from './model.js';
import type { AwsNaming } from './serverless-api.js';

/** Serverless' `functions.<name>.url`: `true` is a public URL (AuthType NONE). */
export type ServerlessUrl = true | { authorizer?: 'aws_iam'; invokeMode?: 'RESPONSE_STREAM' };

const signed = (config: LambdaIonConfig): boolean => config.url !== undefined && config.url !== true && config.url.authorizer === 'aws_iam';

export function serverlessUrl(config: LambdaIonConfig): ServerlessUrl | undefined {
  if (!config.url) return undefined;
  if (!signed(config) && !config.streaming) return true;
  return { ...(signed(config) ? { authorizer: 'aws_iam' as const } : {}), ...(config.streaming ? { invokeMode: 'RESPONSE_STREAM' as const } : {}) };
}

interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
}

/** `function URLs: feed (public, streaming), files (aws_iam)`, or '' without any. */
export function functionUrlSummary(model: IonsModel): string {
  const described = model.proxies
    .filter((proxy) => proxy.config.url)
    .map((proxy) => `${proxy.lambda} (${signed(proxy.config) ? 'aws_iam' : 'public'}${proxy.config.streaming ? ', streaming' : ''})`);
  return described.length === 0 ? '' : `function URLs: ${described.join(', ')}`;
}

/**
 * Since October 2025 a public function URL also needs `lambda:InvokeFunction` granted for calls made
 * through the URL; osls adds that permission, serverless v3 does not, and without it every request
 * gets 403. Returns the permissions the compiled template still lacks, under the logical id osls
 * uses, so that both CLIs end up with the same resource.
 */
export function missingUrlInvokePermissions(
  model: IonsModel,
  resources: Record<string, unknown>,
  naming: Pick<AwsNaming, 'getNormalizedFunctionName' | 'getLambdaFunctionUrlLogicalId'>,
): Record<string, Resource> {
  const missing: Record<string, Resource> = {};
  for (const proxy of model.proxies) {
    if (!proxy.config.url || signed(proxy.config)) continue;
    const urlResource = resources[naming.getLambdaFunctionUrlLogicalId(proxy.key)] as Resource | undefined;
    if (urlResource?.Type !== 'AWS::Lambda::Url') {
      throw new Error(`ions: the framework compiled no function URL for ${proxy.key}: this Serverless version does not know functions' url`);
    }
    const target = JSON.stringify(urlResource.Properties!.TargetFunctionArn);
    const granted = Object.values(resources).some((resource) => {
      const { Type, Properties } = resource as Resource;
      return (
        Type === 'AWS::Lambda::Permission' &&
        Properties?.Action === 'lambda:InvokeFunction' &&
        Properties.InvokedViaFunctionUrl === true &&
        JSON.stringify(Properties.FunctionName) === target
      );
    });
    if (granted) continue;
    missing[`${naming.getNormalizedFunctionName(proxy.key)}LambdaPermissionFn`] = {
      Type: 'AWS::Lambda::Permission',
      Properties: {
        FunctionName: urlResource.Properties!.TargetFunctionArn,
        Action: 'lambda:InvokeFunction',
        Principal: '*',
        InvokedViaFunctionUrl: true,
      },
    };
  }
  return missing;
}
