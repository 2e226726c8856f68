// Everything the plugin adds to the stack besides the proxy functions themselves.
import type { IonsConfig } from '../../runtime/config/ions-config.js';
import type { IonsModel } from '../model.js';
import { merge, ref, type TemplatePart } from './cfn.js';
import { CODE_BUCKET, CODE_DEPLOY_APP, codeDeployPart } from './code-deploy.js';
import { amiParametersPart, computeGroupPart } from './compute-group.js';
import { httpDirectPart } from './http-direct.js';
import { networkPart } from './network.js';
import { observabilityPart } from './observability.js';
import { proxyRolesPart } from './proxy-roles.js';
import { secretPart } from './secret.js';
import { storagePart } from './storage.js';

/** What nodes need of the config: all of it but the events, which only wire up Lambdas and can be long. */
function nodeConfig(config: IonsConfig): IonsConfig {
  if (!config.lambdas) return config;
  const lambdas = Object.fromEntries(Object.entries(config.lambdas).map(([name, { events: _events, ...lambda }]) => [name, lambda]));
  return { ...config, lambdas };
}

/** The ions config as the nodes read it at start (the revision carries it too). */
function configParameterPart(model: IonsModel): TemplatePart {
  return {
    Resources: {
      IonsConfigParameter: {
        Type: 'AWS::SSM::Parameter',
        Properties: {
          Name: `${model.parameterPrefix}/config`,
          Type: 'String',
          // Above 4 KB SSM needs the advanced tier; intelligent tiering picks it only when needed.
          Tier: 'Intelligent-Tiering',
          Value: JSON.stringify(nodeConfig(model.config)),
          Description: `ions: configuration of ${model.config.app}`,
        },
      },
    },
  };
}

function outputsPart(model: IonsModel): TemplatePart {
  return {
    Resources: {},
    Outputs: {
      IonsGroups: { Description: 'Compute groups of this app', Value: model.groups.map((group) => group.name).join(',') },
      IonsCodeBucket: { Description: 'Bucket that receives pushed revisions', Value: ref(CODE_BUCKET) },
      IonsCodeDeployApplication: { Description: 'CodeDeploy application of this app', Value: ref(CODE_DEPLOY_APP) },
      IonsSecretParameter: { Description: 'SSM SecureString holding the proxy-to-node HMAC key', Value: model.secretParameterName },
    },
  };
}

export function ionsTemplate(model: IonsModel): TemplatePart {
  return merge(
    networkPart(model),
    secretPart(model),
    codeDeployPart(model),
    storagePart(model),
    observabilityPart(model),
    configParameterPart(model),
    amiParametersPart(model),
    ...model.groups.map((group) => computeGroupPart(model, group)),
    httpDirectPart(model),
    proxyRolesPart(model),
    outputsPart(model),
  );
}
