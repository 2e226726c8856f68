// The generated stack as a node meets it: the template built in-process from a config, the
// environment file and systemd unit its user data writes, and the stack's config parameter.
import { fileURLToPath } from 'node:url';
import type { IonsConfig } from '../../runtime/config/ions-config.js';
import { validateIonsConfig } from '../../runtime/config/validate.js';
import { buildModel, type IonsModel } from '../../plugin/model.js';
import { ionsTemplate } from '../../plugin/template/index.js';

export const serviceDir = fileURLToPath(new URL('./fixtures/notes-service/', import.meta.url));

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
}
export interface Template {
  Resources: Record<string, Resource>;
}

export function notesConfig(overrides: Partial<IonsConfig> = {}): IonsConfig {
  return {
    app: 'notes',
    groups: { primary: { topology: 'solo' } },
    lambdas: {
      remember: { fn: 'src/notes.remember' },
      recall: { fn: 'src/notes.recall' },
      hold: { fn: 'src/notes.hold' },
    },
    ...overrides,
  };
}

export function generateStack(config: IonsConfig, stage = 'test'): { model: IonsModel; template: Template } {
  const model = buildModel(validateIonsConfig(config, { serviceDir, service: 'notes-svc', stage }), 'notes-svc', stage);
  return { model, template: ionsTemplate(model) as unknown as Template };
}

export function resource(template: Template, id: string): Resource {
  const found = template.Resources[id];
  if (found === undefined) throw new Error(`the template has no resource ${id}; it has ${Object.keys(template.Resources).join(', ')}`);
  return found;
}

/** The script of a launch template's user data (before Fn::Sub resolves it). */
export function userDataScript(template: Template, launchTemplateId: string): string {
  const data = (resource(template, launchTemplateId).Properties.LaunchTemplateData as { UserData: { 'Fn::Base64': { 'Fn::Sub': [string, unknown] } } }).UserData;
  return data['Fn::Base64']['Fn::Sub'][0];
}

/** The text a heredoc of the script writes to `path`. */
function heredoc(script: string, path: string): string {
  const match = new RegExp(`cat > ${path.replace(/[/.]/g, '\\$&')} <<'(\\w+)'\\n([\\s\\S]*?)\\n\\1\\n`).exec(script);
  if (match === null) throw new Error(`the user data writes no ${path}`);
  return match[2]!;
}

export interface NodeUnit {
  /** Where the unit reads its environment from. */
  environmentFile: string;
  execStart: string;
  /** The variables the user data writes to that file, `${...}` references unresolved. */
  env: Record<string, string>;
}

export function nodeUnit(script: string): NodeUnit {
  const unit = heredoc(script, '/etc/systemd/system/ions-node.service');
  const setting = (key: string): string => {
    const line = unit.split('\n').find((l) => l.startsWith(`${key}=`));
    if (line === undefined) throw new Error(`the node unit has no ${key}`);
    return line.slice(key.length + 1);
  };
  const environmentFile = setting('EnvironmentFile');
  const env: Record<string, string> = {};
  for (const line of heredoc(script, environmentFile).split('\n')) {
    const at = line.indexOf('=');
    if (at < 1) throw new Error(`bad line in ${environmentFile}: ${JSON.stringify(line)}`);
    env[line.slice(0, at)] = line.slice(at + 1);
  }
  return { environmentFile, execStart: setting('ExecStart'), env };
}

/** Resolves `${Name}` references the way Fn::Sub would, from `values`; an unknown one is an error. */
export function resolveRefs(env: Record<string, string>, values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([name, value]) => [
      name,
      value.replace(/\$\{([^}]+)\}/g, (_, ref: string) => {
        const resolved = values[ref];
        if (resolved === undefined) throw new Error(`${name}=${value}: no value given for \${${ref}}`);
        return resolved;
      }),
    ]),
  );
}

/** An environment that records every name read from it. */
export function recordingEnv(env: Record<string, string>): { env: Record<string, string | undefined>; read: Set<string> } {
  const read = new Set<string>();
  const proxy = new Proxy(env, {
    get(target, name) {
      if (typeof name === 'string') read.add(name);
      return Reflect.get(target, name);
    },
  });
  return { env: proxy, read };
}

/** The stack's config parameter: its name and the JSON the nodes read. */
export function configParameter(template: Template): { name: string; value: string } {
  const { Name, Value } = resource(template, 'IonsConfigParameter').Properties as { Name: string; Value: string };
  return { name: Name, value: Value };
}
