import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The nearest ancestor of `dir` (or `dir` itself) holding `.ccc/` or `.git`; `dir` when none does. */
export function findProjectRoot(dir: string): string {
  const start = resolve(dir);
  for (let current = start; ; current = dirname(current)) {
    if (existsSync(join(current, '.ccc')) || existsSync(join(current, '.git'))) return current;
    if (dirname(current) === current) return start;
  }
}
