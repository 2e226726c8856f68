// serverless-ions, the Serverless Framework plugin. Registers the `ions` block's schema, turns the
// block into proxy functions (added to the service so Serverless compiles their events itself) and
// the stack's compute groups, storage and network, and adds `serverless ions ...` commands.
import { IonsConfigError } from '../runtime/config/config-error.js';
import type { LocalApp } from '../runtime/dev/local-app.js';
import { ionsSchema } from '../runtime/config/schema.js';
import { ionsCommands } from './commands.js';
import { deployCommand, pushCommand, statusCommand } from './cycle-commands.js';
import { functionUrlSummary, missingUrlInvokePermissions } from './function-url.js';
import { invokeIon, UserInputError } from './invoke.js';
import type { IonsModel } from './model.js';
import { startOfflineNode } from './offline.js';
import { buildProxyArtifact } from './proxy-artifact.js';
import { proxyFunction } from './proxy-functions.js';
import { readModel } from './read-config.js';
import { streamRestMethods } from './rest-streaming.js';
import type { CommandDefinition, PluginUtils, Serverless, ServerlessOptions } from './serverless-api.js';
import { ionsTemplate } from './template/index.js';

export default class ServerlessIons {
  readonly commands: Record<string, CommandDefinition> = ionsCommands;
  readonly hooks: Record<string, () => Promise<void> | void>;
  private model: IonsModel | undefined;
  private offlineNode: Promise<LocalApp> | undefined;

  constructor(
    private readonly serverless: Serverless,
    private readonly options: ServerlessOptions,
    private readonly utils: PluginUtils,
  ) {
    serverless.configSchemaHandler.defineTopLevelProperty('ions', ionsSchema);
    this.hooks = {
      // Every command sees the proxies as ordinary functions (`logs -f`, `deploy function`, offline).
      initialize: () => this.guard(() => this.addFunctions()),
      'before:package:createDeploymentArtifacts': () => this.guard(() => this.buildArtifact()),
      'before:package:function:package': () => this.guard(() => this.buildArtifact()),
      'package:compileFunctions': () => this.guard(() => this.addResources()),
      // The REST methods exist only once the framework has compiled the `http` events.
      'after:package:compileEvents': () => this.guard(() => this.streamRestMethods()),
      'ions:invoke:invoke': () => this.guard(() => this.invoke()),
      'ions:push:push': () => this.guard(() => pushCommand(this.cycle())),
      'ions:deploy:deploy': () => this.guard(() => deployCommand(this.cycle())),
      'ions:status:status': () => this.guard(() => statusCommand(this.cycle())),
      // `serverless offline` runs the `offline:start` event; `serverless offline start` runs init/ready/end.
      'before:offline:start': () => this.guard(() => this.startOffline()),
      'before:offline:start:init': () => this.guard(() => this.startOffline()),
      'offline:start:end': () => this.guard(() => this.stopOffline()),
    };
  }

  /** Config and input mistakes surface as Serverless' own user errors: the message, no stack. */
  private async guard(step: () => Promise<void> | void): Promise<void> {
    try {
      await step();
    } catch (error) {
      if (error instanceof IonsConfigError || error instanceof UserInputError) throw new this.serverless.classes.Error(error.message);
      throw error;
    }
  }

  private get ions(): IonsModel {
    this.model ??= readModel(this.serverless, this.options);
    return this.model;
  }

  private cycle() {
    return { serverless: this.serverless, options: this.options, utils: this.utils, model: this.ions };
  }

  private addFunctions(): void {
    const model = this.ions;
    for (const proxy of model.proxies) this.serverless.service.functions[proxy.key] = proxyFunction(model, proxy);
    this.utils.log.verbose(`ions: ${model.proxies.length} proxy function(s): ${model.proxies.map((p) => p.functionName).join(', ')}`);
  }

  private async buildArtifact(): Promise<void> {
    if (this.ions.proxies.length === 0) return;
    const progress = this.utils.progress.create({ message: 'Bundling the ions proxy' });
    try {
      const artifact = await buildProxyArtifact(this.serverless.serviceDir);
      this.utils.log.notice(
        `ions: proxy bundle ${artifact.bundleBytes} bytes, one artifact for ${this.ions.proxies.length} proxy Lambda(s)`,
      );
    } finally {
      progress.remove();
    }
  }

  private addResources(): void {
    const model = this.ions;
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    const part = ionsTemplate(model);
    // Serverless compiled the functions (and their URLs) before this hook: what is missing is known now.
    Object.assign(part.Resources, missingUrlInvokePermissions(model, template.Resources, this.serverless.getProvider('aws').naming));
    for (const section of ['Resources', 'Outputs', 'Parameters'] as const) {
      const target = (template[section] ??= {});
      for (const [id, value] of Object.entries(part[section] ?? {})) {
        if (id in target) throw new Error(`ions: the stack already defines ${section}.${id}; rename yours`);
        target[id] = value;
      }
    }
    const groups = model.groups.map((group) => `${group.name} (${group.config.topology}, ${group.minSize}-${group.maxSize} nodes)`);
    const urls = functionUrlSummary(model);
    this.utils.log.notice(`ions: ${model.config.app} on ${groups.join(', ')}; ${Object.keys(part.Resources).length} resources${urls ? `; ${urls}` : ''}`);
  }

  private streamRestMethods(): void {
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    const streamed = streamRestMethods(this.ions, template.Resources, this.serverless.getProvider('aws').naming);
    if (streamed.length === 0) return;
    const byLambda = new Map<string, number>();
    for (const { lambda } of streamed) byLambda.set(lambda, (byLambda.get(lambda) ?? 0) + 1);
    this.utils.log.notice(`ions: REST methods streaming: ${[...byLambda].map(([lambda, count]) => `${lambda} (${count})`).join(', ')}`);
  }

  private async startOffline(): Promise<void> {
    this.offlineNode ??= startOfflineNode(this.serverless.serviceDir, this.ions, this.serverless.service.functions);
    const node = await this.offlineNode;
    this.utils.log.notice(`ions: proxies forward to the local node at ${node.nodeUrl}`);
  }

  private async stopOffline(): Promise<void> {
    await (await this.offlineNode)?.close();
  }

  private async invoke(): Promise<void> {
    const result = await invokeIon(this.serverless.serviceDir, this.ions.config, this.options);
    this.utils.writeText(JSON.stringify(result, null, 2));
  }
}
