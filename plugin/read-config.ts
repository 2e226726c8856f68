// Reads the resolved `ions` block from Serverless, validates it, and derives the deployment model.
// Stops with an error naming the key path before anything is generated.
import { IonsConfigError } from '../runtime/config/config-error.js';
import { validateIonsConfig } from '../runtime/config/validate.js';
import { buildModel, type IonsModel } from './model.js';
import type { Serverless, ServerlessOptions } from './serverless-api.js';

export function stageOf(serverless: Serverless, options: ServerlessOptions): string {
  return options.stage ?? serverless.service.provider.stage ?? 'dev';
}

function rawIonsBlock(serverless: Serverless): unknown {
  // Serverless keeps plugin-defined top-level properties on the resolved configuration only.
  const config = serverless.configurationInput ?? serverless.service.initialServerlessConfig ?? {};
  return config.ions;
}

export function readModel(serverless: Serverless, options: ServerlessOptions): IonsModel {
  const raw = rawIonsBlock(serverless);
  if (raw === undefined || raw === null) {
    throw new IonsConfigError('ions', 'missing: the serverless-ions plugin needs an `ions` block (see serverless.yml.example)');
  }
  const service = serverless.service.service;
  const config = validateIonsConfig(raw, { serviceDir: serverless.serviceDir, service, stage: stageOf(serverless, options) });
  if (!config.groups) throw new IonsConfigError('ions.groups', 'required to deploy: at least one compute group runs the app');
  const model = buildModel(config, service, stageOf(serverless, options));
  for (const proxy of model.proxies) {
    if (proxy.key in serverless.service.functions) {
      throw new IonsConfigError(`ions.lambdas.${proxy.lambda}`, `its generated function ${proxy.key} is already defined under functions`);
    }
  }
  return model;
}
