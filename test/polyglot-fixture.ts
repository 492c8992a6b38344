// A fresh copy of test/fixtures/polyglot for one test, plus the files that are not committed: ignored ones, and
// files the walk must skip with a reason (binary, 5 MB, minified, not UTF-8, a symlink loop, unreadable).
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const FIXTURE = resolve(__dirname, 'fixtures', 'polyglot');

/** Root-relative paths of the committed files that must be indexed. */
export const INDEXED = [
  'config.yml',
  'docs/guide.md',
  'generated/keep_me.ts',
  'lib/Accounts.cs',
  'lib/Inventory.java',
  'lib/checksum.c',
  'lib/greeter.rb',
  'lib/matrix.rs',
  'lib/nested/important.tmp',
  'lib/nested/stack.kt',
  'lib/nested/timer.lua',
  'lib/queue.go',
  'lib/shapes.cpp',
  'scripts/deploy.sh',
  'scripts/parse_config.py',
  'scripts/report_builder.py',
  'src/api/server.ts',
  'src/util/strings.js',
  'web/cart.php',
  'web/style.css',
];

/** Generated files the walk must skip and report, with a word of the reason it gives. */
export const SKIPPED: Record<string, RegExp> = {
  'data/blob.bin': /binary/i,
  'data/huge.txt': /large|size/i,
  'web/legacy.js': /minified|generated/i,
  'lib/latin1.txt': /utf-?8/i,
};

/** Generated files the ignore rules leave out entirely (not reported). */
export const IGNORED = ['build/output.js', 'debug.log', 'generated/skip_me.ts', 'lib/nested/scratch.tmp'];

/** Copies the fixture into a new temp folder made a project (`.git`), with settings that also include .txt/.tmp/.bin. */
export function makePolyglotProject(): string {
  const root = mkdtempSync('/tmp/ccc-poly-');
  cpSync(FIXTURE, root, { recursive: true });
  mkdirSync(join(root, '.git'));
  const write = (path: string, data: string | Buffer) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), data);
  };
  write('build/output.js', 'const ignoredBuildArtifactHeron = 1;\n');
  write('debug.log', 'ignoredLogLineHeron\n');
  write('generated/skip_me.ts', 'export const ignoredGeneratedHeron = 1;\n');
  write('lib/nested/scratch.tmp', 'ignored scratch heron\n');
  write('data/blob.bin', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) % 256)));
  write('data/huge.txt', `${'a large file line about herons\n'.repeat(180_000)}`);
  write('web/legacy.js', `var a=${Array.from({ length: 4000 }, (_, i) => `function f${i}(x){return x+${i}}`).join(';')};\n`);
  write('lib/latin1.txt', Buffer.from('caf\xe9 cr\xe8me br\xfbl\xe9e heron\n', 'latin1'));
  mkdirSync(join(root, 'links'));
  symlinkSync('b', join(root, 'links', 'a'));
  symlinkSync('a', join(root, 'links', 'b'));
  write('lib/secret.rb', 'SECRET_VALUE = 1\n');
  chmodSync(join(root, 'lib/secret.rb'), 0o000);
  return root;
}

/** The project's settings: the defaults (from `ccc init`) plus .txt, .tmp and .bin files. */
export function widenIncludes(root: string): void {
  const file = join(root, '.ccc', 'settings.yml');
  writeFileSync(file, readFileSync(file, 'utf8').replace('include:\n', 'include:\n  - "**/*.{txt,tmp,bin}"\n'));
}

/** Unreadable-file checks only mean something for a user that file permissions apply to. */
export const PERMISSIONS_APPLY = process.getuid?.() !== 0;
