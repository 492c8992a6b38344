// Builds every program of ccc into dist/. `node esbuild.mjs [--watch]`.
// One entry per program; `tsc --noEmit` does the type checking.
import * as esbuild from 'esbuild';
import { mkdirSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const common = {
  bundle: true,
  sourcemap: true,
  logLevel: 'warning',
  target: 'node20',
};

// Native addons and packages that load files next to themselves stay outside the bundles
// and ship in node_modules.
const nodeExternals = ['onnxruntime-node', 'sharp', '@parcel/watcher'];

const programs = [
  { entryPoints: ['extension/main.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', external: ['vscode', ...nodeExternals] },
  { entryPoints: ['daemon/server/main.ts'], outfile: 'dist/daemon.js', platform: 'node', format: 'cjs', external: nodeExternals },
  { entryPoints: ['daemon/cli/main.ts'], outfile: 'dist/ccc.js', platform: 'node', format: 'cjs', external: nodeExternals, banner: { js: '#!/usr/bin/env node' } },
  { entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife', target: 'es2022' },
];

mkdirSync('dist', { recursive: true });
if (watch) {
  for (const program of programs) await (await esbuild.context({ ...common, ...program })).watch();
} else {
  await Promise.all(programs.map((program) => esbuild.build({ ...common, ...program })));
}
