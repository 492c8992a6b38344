import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FileKind } from '../protocol';
import { fileKind } from './file-kind';

const CASES: Record<FileKind, string[]> = {
  test: [
    'test/res.redirect.js', 'tests/test_api.py', 'src/__tests__/button.tsx', 'spec/models/user_spec.rb', 'pkg/walk/walk_test.go',
    'src/app.spec.ts', 'lib/util.test.js', 'test_util.py', 'pkg/util_test.py', 'conftest.py', 'src/test/java/org/x/Foo.java',
    'core/src/main/java/org/x/FooTest.java', 'Tests/FooTests.cs', 'benches/search.rs', 'test/fixtures/app/index.js',
    'lib/__fixtures__/a.json', 'crates/core/testdata/x.txt', 'examples/test/x.js',
  ],
  docs: ['History.md', 'CHANGELOG.md', 'CHANGELOG', 'HISTORY.rst', 'docs/guide/intro.js', 'README.md', 'doc/api.rst', 'NEWS.txt'],
  example: ['examples/auth/index.js', 'example/main.go', 'samples/hello.py', 'docs/examples/x.js'],
  generated: [
    'vendor/github.com/x/y.go', 'third_party/zlib/inflate.c', 'api/v1/api.pb.go', 'proto/msg_pb2.py', 'src/schema.generated.ts',
    'public/app.min.js', 'test/fixtures/vendor/lib.js', 'api/v1/foo_test.pb.go',
  ],
  code: [
    'lib/response.js', 'src/index.ts', 'crates/core/search.rs', 'history.js', 'src/release.go', 'src/Latest.java', 'contest.py',
    'src/testing_utils_helpers.ts', 'latest.py', 'requirements.txt', 'lib/router/route.js', 'attest.go',
    'constructor/__proto__/toString.js',
  ],
};

test('file kinds from conventional paths and names', () => {
  for (const [kind, paths] of Object.entries(CASES)) {
    for (const path of paths) assert.equal(fileKind(path), kind, path);
  }
});
