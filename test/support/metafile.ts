// What esbuild reads from entry points when it bundles them with every package left external: which
// source files they reach and what those import. The package tests read the published code this way.
import { build, type Metafile } from 'esbuild';

export async function metafileOf(entryPoints: string[]): Promise<Metafile> {
  const { metafile } = await build({
    entryPoints,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    write: false,
    metafile: true,
    outdir: 'unused',
    logLevel: 'silent',
  });
  return metafile;
}
