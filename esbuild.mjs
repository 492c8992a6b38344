// Builds every program of ccc into dist/. `node esbuild.mjs [--watch]`.
// One entry per program; `tsc --noEmit` does the type checking.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import wabt from 'wabt';

const watch = process.argv.includes('--watch');

// transformers.js requires sharp (libvips, LGPL) at load time for images; ccc embeds text only, so it gets a stand-in.
const noSharp = {
  name: 'no-sharp',
  setup(build) {
    build.onResolve({ filter: /^sharp$/ }, () => ({ path: 'sharp', namespace: 'no-sharp' }));
    build.onLoad({ filter: /.*/, namespace: 'no-sharp' }, () => ({
      contents: "module.exports = () => { throw new Error('ccc does not process images'); };",
    }));
  },
};

// Parts only one command needs load from their own bundle when that command runs: compiling them made every other ccc
// command start slower. `ccc mcp` → dist/mcp.js (MCP SDK, zod, ajv: ~1.4 MB); `ccc init` → dist/settings.js (yaml); a
// configured embedding model → dist/transformers.js (transformers.js: ~2 MB the daemon parsed at every start).
const cliApart = [
  { filter: /\/mcp\/server$/, entry: 'daemon/mcp/server.ts', bundle: 'mcp.js' },
  { filter: /\/index\/settings$/, entry: 'daemon/index/settings.ts', bundle: 'settings.js' },
];
const daemonApart = [{ filter: /\/transformers-runtime$/, entry: 'daemon/index/transformers-runtime.ts', bundle: 'transformers.js' }];
const apart = [...cliApart, ...daemonApart];
const loadApart = (parts) => ({
  name: 'load-apart',
  setup(build) {
    for (const { filter, bundle } of parts) build.onResolve({ filter }, () => ({ path: `./${bundle}`, external: true }));
  },
});

const common = {
  bundle: true,
  sourcemap: true,
  logLevel: 'warning',
  target: 'node20',
  plugins: [noSharp],
  define: { CCC_VERSION: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version) },
};

// Native addons and packages that load files next to themselves stay outside the bundles
// and ship in node_modules.
const nodeExternals = ['onnxruntime-node', 'onnxruntime-common', '@parcel/watcher'];

const programs = [
  { entryPoints: ['extension/main.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', external: ['vscode', ...nodeExternals] },
  {
    entryPoints: ['daemon/server/main.ts'], outfile: 'dist/daemon.js', platform: 'node', format: 'cjs', external: nodeExternals,
    plugins: [...common.plugins, loadApart(daemonApart)],
  },
  {
    entryPoints: ['daemon/cli/main.ts'], outfile: 'dist/ccc.js', platform: 'node', format: 'cjs', external: nodeExternals,
    plugins: [...common.plugins, loadApart(cliApart)], banner: { js: '#!/usr/bin/env node' },
  },
  ...apart.map(({ entry, bundle }) => ({ entryPoints: [entry], outfile: `dist/${bundle}`, platform: 'node', format: 'cjs', external: nodeExternals })),
  { entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife', target: 'es2022' },
  // web-tree-sitter finds itself through import.meta.url, which a CommonJS bundle lacks: give it the bundle's own URL.
  {
    entryPoints: ['daemon/index/parse-worker.ts'], outfile: 'dist/parse-worker.js', platform: 'node', format: 'cjs',
    define: { ...common.define, 'import.meta.url': 'bundleUrl' },
    banner: { js: "const bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  },
  {
    entryPoints: ['daemon/grep/grep-worker.ts'], outfile: 'dist/grep-worker.js', platform: 'node', format: 'cjs',
    define: { ...common.define, 'import.meta.url': 'bundleUrl' },
    banner: { js: "const bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  },
];

mkdirSync('dist', { recursive: true });
// The search panel's stylesheet and the extension's icon ship next to the bundles.
mkdirSync('dist/media', { recursive: true });
copyFileSync('webview/panel.css', 'dist/panel.css');
copyFileSync('extension/media/ccc.svg', 'dist/media/ccc.svg');
// The chunker's Tree-sitter runtime and the grammars listed in grammars/wasm-files.json.
mkdirSync('dist/grammars', { recursive: true });
copyFileSync('node_modules/web-tree-sitter/tree-sitter.wasm', 'dist/grammars/tree-sitter.wasm');
for (const wasm of JSON.parse(readFileSync('grammars/wasm-files.json', 'utf8'))) {
  copyFileSync(`node_modules/@cursorless/tree-sitter-wasms/out/${wasm}`, `dist/grammars/${wasm}`);
}
// The built-in embedding model is trained by model/ (`npm run model:train`) and committed in model/builtin/: the build copies it.
for (const file of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx']) {
  mkdirSync(dirname(`dist/model/${file}`), { recursive: true });
  copyFileSync(`model/builtin/${file}`, `dist/model/${file}`);
}
// The vector search's SIMD kernel, from its WebAssembly text.
const wat = (await wabt()).parseWat('int8-dot.wat', readFileSync('daemon/index/int8-dot.wat', 'utf8'), { simd: true });
writeFileSync('dist/int8-dot.wasm', wat.toBinary({}).buffer);
wat.destroy();
if (watch) {
  for (const program of programs) await (await esbuild.context({ ...common, ...program })).watch();
} else {
  await Promise.all(programs.map((program) => esbuild.build({ ...common, ...program })));
}
