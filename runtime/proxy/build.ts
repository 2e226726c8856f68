// Bundles the proxy into the single file every generated Lambda ships.
//
// CommonJS, not ESM: Lambda loads `index.js` as CommonJS whatever surrounds it, and `require` finds
// the runtime's own AWS SDK through NODE_PATH, which ESM imports do not consult. The SDK stays
// external, so the bundle carries only the proxy.
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const PROXY_BUNDLE_LIMIT_BYTES = 20 * 1024;

// From the source tree the entry is handler.ts; from the published package, the compiled handler.js.
const sourceEntry = fileURLToPath(new URL('./handler.ts', import.meta.url));
const entry = existsSync(sourceEntry) ? sourceEntry : fileURLToPath(new URL('./handler.js', import.meta.url));

export interface ProxyBundle {
  outFile: string;
  bytes: number;
}

/** Writes the minified proxy bundle to `outFile` (exporting `handler`); fails past the size limit. */
export async function buildProxyBundle(outFile: string): Promise<ProxyBundle> {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [entry],
    outfile: outFile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    external: ['@aws-sdk/*'],
    // Turns the lazy `import()` of the SSM client into `require`, for the NODE_PATH reason above.
    supported: { 'dynamic-import': false },
    legalComments: 'none',
    logLevel: 'silent',
  });
  const { size } = await stat(outFile);
  if (size > PROXY_BUNDLE_LIMIT_BYTES) {
    throw new Error(`proxy bundle ${outFile} is ${size} bytes, over the ${PROXY_BUNDLE_LIMIT_BYTES}-byte limit`);
  }
  return { outFile, bytes: size };
}
