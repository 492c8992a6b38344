// What a file is for — code, test, docs, example or generated — decided from conventional paths and names alone, so it
// costs nothing to store (computed when a chunk enters the search index) and needs no change to the store's format.
// Ranking prefers code (`ranking.ts`); filters select kinds; hits show theirs. The conventions are the ones test runners,
// doc tools and code generators use by default: a project that breaks them gets `code`, which is never hidden.
import type { FileKind } from '../protocol';

/** Folders whose files are all of one kind, wherever they sit in the path. Fixtures and test data count as tests. */
const FOLDER_KINDS = new Map<string, FileKind>(Object.entries({
  test: 'test', tests: 'test', __tests__: 'test', __test__: 'test', spec: 'test', specs: 'test', testing: 'test',
  testdata: 'test', 'test-data': 'test', test_data: 'test', fixtures: 'test', fixture: 'test', __fixtures__: 'test',
  __mocks__: 'test', e2e: 'test', benches: 'test', bench: 'test', benchmarks: 'test',
  docs: 'docs', doc: 'docs', documentation: 'docs',
  examples: 'example', example: 'example', samples: 'example', sample: 'example', demo: 'example', demos: 'example',
  vendor: 'generated', third_party: 'generated', 'third-party': 'generated', thirdparty: 'generated',
  node_modules: 'generated', generated: 'generated', __generated__: 'generated', gen: 'generated',
} satisfies Record<string, FileKind>));

/** File names (lower-cased) that say the kind whatever the folder. */
const NAME_PATTERNS: [RegExp, FileKind][] = [
  // Generated before test: `foo_test.pb.go` is generated code.
  [/\.pb\.(go|cc|h)$|_pb2(_grpc)?\.pyi?$|\.pb\.(ts|js)$|_pb\.(js|ts|d\.ts)$|\.generated\.|\.g\.(cs|dart)$|\.freezed\.dart$|\.min\.(js|css)$|[.-]bundle\.js$|\.designer\.cs$/, 'generated'],
  [/_test\.(go|py|rb|exs?|dart|cc|cpp|c)$|^test_.+\.py$|^conftest\.py$|\.(test|spec)\.[cm]?[jt]sx?$|_spec\.rb$|^tests?\.(rs|py)$/, 'test'],
  // CHANGELOG*, History.md, HISTORY, NEWS.txt: prose files by name, but not `history.js` (code named like them).
  [/^changelog|^(changes|history|news|authors|contributors|contributing|code_of_conduct|upgrading)([_-][\w-]+)?(\.(md|markdown|txt|rst|adoc))?$/, 'docs'],
  [/\.(md|markdown|mdx|rst|adoc|asciidoc)$/, 'docs'],
];

/** JUnit / xUnit naming, case-sensitive so that `Latest.java` stays code: `FooTest.java`, `FooTests.cs`, `TestFoo.java`, `FooSpec.scala`. */
const CLASS_TEST_NAME = /(^Test[A-Z]\w*|\w(Tests?|Spec|IT))\.(java|kt|kts|scala|groovy|cs|swift|php)$/;

/** Path segments that put a file under tests only as a pair (`src/test/java/...`). */
const TEST_SOURCE_ROOT = /(^|\/)src\/(test|androidTest|testFixtures|it)\//;

/** The kind of a root-relative path (forward slashes). */
export function fileKind(path: string): FileKind {
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  for (const [pattern, kind] of NAME_PATTERNS) if (kind === 'generated' && pattern.test(name)) return kind;
  const folders = path.split('/').slice(0, -1);
  for (const folder of folders) {
    const kind = FOLDER_KINDS.get(folder.toLowerCase());
    if (kind === 'generated') return kind;
  }
  if (TEST_SOURCE_ROOT.test(path)) return 'test';
  for (const [pattern, kind] of NAME_PATTERNS) if (kind === 'test' && pattern.test(name)) return kind;
  if (CLASS_TEST_NAME.test(path.slice(path.lastIndexOf('/') + 1))) return 'test';
  // The innermost conventional folder decides: `docs/examples/x.js` is an example, `examples/test/x.js` a test.
  for (let i = folders.length - 1; i >= 0; i--) {
    const kind = FOLDER_KINDS.get(folders[i].toLowerCase());
    if (kind) return kind;
  }
  for (const [pattern, kind] of NAME_PATTERNS) if (kind === 'docs' && pattern.test(name)) return kind;
  return 'code';
}
