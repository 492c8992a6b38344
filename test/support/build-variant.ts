// Builds the daemon bundle as another release would, for version-policy tests: same sources, another CCC_VERSION.
import { build } from 'esbuild';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

/** Writes `<outDir>/daemon-<version>.js` and returns its path. */
export async function buildDaemonVariant(version: string, outDir: string): Promise<string> {
  const outfile = join(outDir, `daemon-${version}.js`);
  await build({
    entryPoints: [join(ROOT, 'daemon/server/main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'error',
    external: ['onnxruntime-node', 'sharp', '@parcel/watcher'],
    define: { CCC_VERSION: JSON.stringify(version) },
  });
  return outfile;
}
