// Real source files for load tests: JavaScript and TypeScript copied from node_modules into a temp project.
import { copyFileSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';

const NODE_MODULES = join(__dirname, '..', '..', 'node_modules');
const EXTENSIONS = new Set(['.js', '.ts', '.mjs', '.cjs']);
/** Small files are mostly re-exports; big ones are bundles the walker would skip as generated. */
const MIN_BYTES = 2_000;
const MAX_BYTES = 60_000;

/** Up to `count` source files under node_modules, in a stable order (tests and benches see the same corpus each run). */
export function listSources(count: number): string[] {
  const found: string[] = [];
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (found.length >= count) return;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!['test', 'tests', 'dist-esm', 'min', '.bin', 'onnxruntime-web', 'onnxruntime-node'].includes(entry.name)) visit(path);
      } else if (entry.isFile() && EXTENSIONS.has(extname(entry.name)) && !entry.name.endsWith('.d.ts') && !entry.name.includes('.min.')) {
        const size = statSync(path).size;
        if (size >= MIN_BYTES && size <= MAX_BYTES) found.push(path);
      }
    }
  };
  visit(NODE_MODULES);
  return found;
}

/** Folder names the default settings exclude (most packages ship their code under `dist/`). */
const EXCLUDED_FOLDERS = new Set(['node_modules', 'dist', 'build', 'out', 'target', 'vendor', 'coverage']);

function indexablePath(relPath: string): string {
  return relPath
    .split(sep)
    .map((part) => (EXCLUDED_FOLDERS.has(part) || part.startsWith('.') ? `${part.replace(/^\./, '')}_` : part))
    .join('/');
}

/**
 * Copies `count` files under `target/src/`, keeping their package paths so path filters have real folders to match.
 * When node_modules holds fewer, the set is copied again under `src/copy<n>/` (same code, new paths: latency is what counts).
 */
export function copySources(target: string, count: number): number {
  const files = listSources(count);
  for (let i = 0; i < count && files.length > 0; i++) {
    const round = Math.floor(i / files.length);
    const file = files[i % files.length];
    const to = join(target, 'src', round === 0 ? '' : `copy${round}`, indexablePath(relative(NODE_MODULES, file)));
    mkdirSync(join(to, '..'), { recursive: true });
    copyFileSync(file, to);
  }
  return files.length === 0 ? 0 : count;
}
