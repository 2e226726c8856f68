// The one artifact every generated proxy Lambda ships: the proxy bundle, zipped once per packaging.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildProxyBundle } from '../runtime/proxy/build.js';
import { zip } from '../runtime/archive/zip.js';

/** Relative to the service directory, inside the folder Serverless packages into. */
export const PROXY_ARTIFACT = '.serverless/ions-proxy.zip';
export const PROXY_HANDLER = 'index.handler';

export interface ProxyArtifact {
  file: string;
  bundleBytes: number;
  zipBytes: number;
}

export async function buildProxyArtifact(serviceDir: string): Promise<ProxyArtifact> {
  const work = await mkdtemp(join(tmpdir(), 'ions-proxy-'));
  try {
    const bundle = await buildProxyBundle(join(work, 'index.js'));
    const archive = zip([{ name: 'index.js', data: await readFile(bundle.outFile) }]);
    const file = join(serviceDir, PROXY_ARTIFACT);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, archive);
    return { file, bundleBytes: bundle.bytes, zipBytes: archive.length };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
