// The runtime a compute node runs, as one file: the `ions` command bundled with everything it imports
// (the AWS SDK clients, pg, the store), so that a node needs Node.js and nothing from a package
// registry. A push stores it in the code bucket as a chunk like any other, and the revision's
// CodeDeploy hooks install it on each node (codedeploy-bundle.ts): the runtime travels with the
// revision, and a new serverless-ions reaches the nodes with the next deploy.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ESM_NODE_SHIMS } from '../revision/index.js';
import { runtimeVersion } from './push-manifest.js';

// From the source tree the entry is main.ts; from the published package, the compiled main.js.
const sourceEntry = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
const entry = existsSync(sourceEntry) ? sourceEntry : fileURLToPath(new URL('../cli/main.js', import.meta.url));

export interface NodeRuntime {
  bytes: Buffer;
  sha256: string;
  /** The serverless-ions version inside, which the node's `package.json` of the runtime records. */
  version: string;
}

let built: Promise<NodeRuntime> | undefined;

/** The node runtime of this serverless-ions, built once per process (the same bytes for the same package). */
export function nodeRuntime(): Promise<NodeRuntime> {
  built ??= buildNodeRuntime().catch((error: unknown) => {
    built = undefined;
    throw error;
  });
  return built;
}

async function buildNodeRuntime(): Promise<NodeRuntime> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    minify: true,
    legalComments: 'none',
    // esbuild only builds (revisions, proxies), which a node never does; pg-native is pg's optional
    // native driver, which pg does without when it is absent.
    external: ['esbuild', 'pg-native'],
    ...ESM_NODE_SHIMS,
    logLevel: 'silent',
  });
  const bytes = Buffer.from(result.outputFiles[0]!.contents);
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex'), version: runtimeVersion() };
}
