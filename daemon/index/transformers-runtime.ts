// transformers.js (with onnxruntime), which only a model the user configures needs: esbuild builds this file into a bundle
// of its own (dist/transformers.js, see esbuild.mjs), so a daemon on the built-in model never loads its 2 MB at start.
// Its CommonJS build: the ESM build would need import.meta.
// eslint-disable-next-line @typescript-eslint/no-require-imports
module.exports = require('@huggingface/transformers');
