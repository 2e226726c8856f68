// The serverless-ions modules app code imports (`serverless-ions/runtime`, `serverless-ions/adapter`)
// are never bundled into a revision: a bundled copy would hold its own module state (cast sink, node
// context, keyword identities) apart from the node's. Instead buildRevision compiles each import into a
// small module that reads the host's own module namespace from a registry on globalThis, which
// loadRevision fills before it imports any revision file. There is then exactly one copy of the
// runtime in a node process, whichever way the node itself runs (TypeScript sources, dist, a bundle).

const REGISTRY = Symbol.for('serverless-ions.host-modules');

/** Specifiers app code may import from the host. The plugin (`serverless-ions`) is not one of them. */
export const HOST_SPECIFIERS = ['serverless-ions/runtime', 'serverless-ions/adapter'] as const;
export type HostSpecifier = (typeof HOST_SPECIFIERS)[number];

type Namespaces = Record<HostSpecifier, Record<string, unknown>>;

let loaded: Promise<Namespaces> | undefined;

/** This process's own runtime and adapter modules. Imported lazily: the runtime imports this file. */
export function hostModules(): Promise<Namespaces> {
  loaded ??= Promise.all([import('../index.js'), import('../../adapter/index.js')]).then(([runtime, adapter]) => ({
    'serverless-ions/runtime': runtime,
    'serverless-ions/adapter': adapter,
  }));
  return loaded;
}

/** Makes this process's modules the ones every revision's host imports read. */
export async function registerHostModules(): Promise<void> {
  (globalThis as Record<symbol, unknown>)[REGISTRY] = await hostModules();
}

export function isHostSpecifier(specifier: string): specifier is HostSpecifier {
  return (HOST_SPECIFIERS as readonly string[]).includes(specifier);
}

/** Source of the module standing in for `specifier` inside a revision: one binding per export name. */
export async function hostModuleSource(specifier: HostSpecifier): Promise<string> {
  const names = Object.keys((await hostModules())[specifier]).filter((name) => name !== 'default' && /^[A-Za-z_$][\w$]*$/.test(name));
  return [
    `const host = globalThis[Symbol.for(${JSON.stringify(REGISTRY.description)})]?.[${JSON.stringify(specifier)}];`,
    `if (!host) throw new Error(${JSON.stringify(`${specifier} is provided by the ions node that loads this revision (loadRevision); it cannot be imported outside one`)});`,
    ...names.map((name) => `export const ${name} = host.${name};`),
  ].join('\n');
}
