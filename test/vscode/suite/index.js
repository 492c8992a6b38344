// ccc's tests inside a real VS Code extension host (started by ../run.mjs). Plain node:assert, run in order: each step
// builds on the one before (activate → index → search → …), as a person's session would.
// Prints mocha-style "N passing" / "N failing" lines, which the runner turns into `vscode-it: N passed, M failed`.
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const { promisify } = require('node:util');
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');

const repo = process.env.CCC_IT_REPO;
const uiDir = process.env.CCC_IT_UI_DIR;
const outDir = process.env.CCC_IT_OUT_DIR;
const tests = [];
const it = (name, fn) => tests.push({ name, fn });
// Never the sync variant: it would block the extension host the extension runs in.
const run = async (file, args, options) => (await promisify(execFile)(file, args, { encoding: 'utf8', ...options })).stdout;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const numbers = {};

async function waitFor(what, check, timeoutMs = 30000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Asks the runner to do something with the page (type, click) and waits for what it saw. */
async function ui(step, args) {
  const id = `${step}-${Date.now()}`;
  const done = path.join(uiDir, 'ui-done.json');
  fs.rmSync(done, { force: true });
  fs.writeFileSync(path.join(uiDir, 'ui-request.tmp'), JSON.stringify({ step, args, id }));
  fs.renameSync(path.join(uiDir, 'ui-request.tmp'), path.join(uiDir, 'ui-request.json'));
  const answer = await waitFor(`ui step ${step}`, () => fs.existsSync(done) && JSON.parse(fs.readFileSync(done, 'utf8')), 90000);
  if (!answer.ok) throw new Error(`ui step ${step} failed: ${answer.error}`);
  return answer.result;
}

const root = () => vscode.workspace.workspaceFolders[0].uri.fsPath;
const relative = (editor) => path.relative(root(), editor.document.uri.fsPath).split(path.sep).join('/');
const lineOf = (file, text) => fs.readFileSync(path.join(root(), file), 'utf8').split('\n').findIndex((l) => l.includes(text));

let api;

it('activates on the fixture, starts the daemon and indexes the folder', async () => {
  const extension = vscode.extensions.getExtension('ccc.ccc-search');
  assert.ok(extension, 'the extension is installed');
  api = await extension.activate();
  numbers.activationMs = api.activationMs;
  const started = Date.now();
  const [result] = await vscode.commands.executeCommand('ccc.reindex');
  numbers.indexMs = Date.now() - started;
  assert.equal(result.root, root());
  assert.equal(result.counts.files, 5, 'the fixture\'s five source files');
  assert.ok(result.chunks >= 4, `at least one chunk per file, got ${result.chunks}`);
  assert.ok(fs.existsSync(path.join(process.env.CCC_HOME, 'daemon.pid')), 'the daemon runs on the test CCC_HOME');
});

it('the language model tool ccc_search finds the expected file first', async () => {
  assert.ok(vscode.lm.tools.some((t) => t.name === 'ccc_search'), 'tool registered');
  const started = Date.now();
  const result = await vscode.lm.invokeTool('ccc_search', { input: { query: 'load the configuration from a json file' }, toolInvocationToken: undefined },
    new vscode.CancellationTokenSource().token);
  numbers.firstSearchMs = Date.now() - started;
  assert.ok(result.content.length > 0, 'some results');
  assert.match(result.content[0].value, /^src\/config\.py:\d+-\d+ .*load_config/, result.content[0].value);
  assert.match(result.content[0].value, /json\.load\(handle\)/, 'the part carries the code');
});

it('the search panel: previews show the lines around the match; clicking a hit puts the cursor on its best line, selects nothing, and typing only inserts', async () => {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  await vscode.commands.executeCommand('ccc.searchPanel.focus');
  const seen = await ui('panelSearch', { query: 'sum of squares', type: true, screenshot: 'results', click: true });
  assert.ok(seen.files.length > 0, 'results grouped by file');
  for (const preview of seen.previews) {
    const [, start, end] = preview.label.match(/lines (\d+)–(\d+)/).map(Number);
    assert.ok(preview.lines >= Math.min(3, end - start + 1) && preview.lines <= 6, `a 3–6 line preview: ${JSON.stringify(preview)}`);
    assert.ok(preview.best !== null, `the best line is marked: ${JSON.stringify(preview)}`);
  }
  const editor = await waitFor('the editor the click opened', () => vscode.window.activeTextEditor);
  const file = relative(editor);
  assert.ok(['src/math.ts', 'lib/stats.js'].includes(file), `opened ${file} (${seen.label})`);
  assert.ok(editor.selection.isEmpty, `nothing is selected: ${JSON.stringify(editor.selection)}`);
  const expected = file === 'src/math.ts' ? lineOf(file, 'function sumOfSquares') : lineOf(file, 'function squaredSum');
  assert.ok(Math.abs(editor.selection.active.line - expected) <= 4, `cursor on line ${editor.selection.active.line + 1}, function at ${expected + 1}`);
  const before = editor.document.getText();
  const at = editor.document.offsetAt(editor.selection.active);
  await ui('typeKeys', { text: 'zq' });
  await waitFor('the keystrokes to land', () => editor.document.getText().length >= before.length + 2, 10000);
  assert.equal(editor.document.getText(), `${before.slice(0, at)}zq${before.slice(at)}`, 'the keystrokes were inserted at the cursor and replaced nothing');
  // The web workbench saves after a delay: put the file back as it was, for the tests that follow.
  await editor.edit((edit) => edit.replace(new vscode.Range(0, 0, editor.document.lineCount, 0), before));
  await editor.document.save();
  assert.equal(fs.readFileSync(editor.document.uri.fsPath, 'utf8'), before);
  assert.ok(fs.existsSync(path.join(outDir, 'screenshots/results.png')), 'screenshot saved');
});

it('the search panel: arrow keys move between results and Enter opens one', async () => {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  const seen = await ui('panelKeyboard');
  assert.ok(seen.label, 'a result has focus');
  await waitFor('the editor Enter opened', () => vscode.window.activeTextEditor);
});

it('ccc.search (QuickPick) previews the active hit and opens the accepted one', async () => {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  const picked = vscode.commands.executeCommand('ccc.search', 'health check handler');
  await waitFor('the preview of the first hit', () => vscode.window.activeTextEditor && relative(vscode.window.activeTextEditor) === 'src/server.go', 30000);
  await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
  const hit = await picked;
  assert.equal(hit.path, 'src/server.go');
  const editor = vscode.window.activeTextEditor;
  assert.ok(hit.bestLine >= hit.startLine && hit.bestLine <= hit.endLine, `best line inside the chunk: ${JSON.stringify(hit)}`);
  assert.ok(editor.selection.isEmpty, `nothing is selected: ${JSON.stringify(editor.selection)}`);
  assert.equal(editor.selection.active.line, hit.bestLine - 1, 'the cursor is on the best line');
});

it('Find Similar on a function finds its near-duplicate', async () => {
  const document = await vscode.workspace.openTextDocument(path.join(root(), 'src/math.ts'));
  const editor = await vscode.window.showTextDocument(document);
  const inside = new vscode.Position(lineOf('src/math.ts', 'total += value'), 4);
  editor.selection = new vscode.Selection(inside, inside);
  const hits = await vscode.commands.executeCommand('ccc.findSimilar');
  assert.ok(hits.length > 0, 'some similar code');
  assert.equal(hits[0].path, 'lib/stats.js', JSON.stringify(hits.map((h) => `${h.path}:${h.startLine} ${h.symbol}`)));
  assert.match(hits[0].symbol, /squaredSum/);
});

it('the CLI with the same CCC_HOME talks to the same daemon', async () => {
  let started = Date.now();
  const report = await vscode.commands.executeCommand('ccc.showStatus');
  numbers.statusMs = Date.now() - started;
  started = Date.now();
  const status = JSON.parse(await run(process.execPath, [path.join(repo, 'dist/ccc.js'), 'daemon', 'status', '--json']));
  numbers.cliStatusMs = Date.now() - started;
  assert.equal(status.running, true);
  assert.equal(status.pid, report.daemon.pid);
  assert.ok(report.daemon.connections >= 1);
  assert.ok(report.projects.some((p) => p.root === root() && p.state === 'ready' && p.watching === 'events'), JSON.stringify(report.projects));
});

const searchTool = (query) => vscode.lm.invokeTool('ccc_search', { input: { query }, toolInvocationToken: undefined }, new vscode.CancellationTokenSource().token);
const daemonPid = async () => (await vscode.commands.executeCommand('ccc.showStatus')).daemon.pid;

it('when the daemon dies, the window restarts it and searches again', async () => {
  const before = await daemonPid();
  process.kill(before, 'SIGKILL');
  const result = await waitFor('a search after the crash', () => searchTool('health check handler').then((r) => r, () => undefined), 60000);
  assert.match(result.content[0].value, /^src\/server\.go/);
  const after = await daemonPid();
  assert.notEqual(after, before, 'a new daemon');
});

it('ccc.stopDaemon stops it and the next search starts it again', async () => {
  const before = await daemonPid();
  assert.equal(await vscode.commands.executeCommand('ccc.stopDaemon'), true);
  await waitFor('the daemon process to end', () => { try { process.kill(before, 0); return false; } catch { return true; } }, 10000);
  const result = await searchTool('sum of squares');
  assert.ok(result.content.length > 0);
  assert.notEqual(await daemonPid(), before);
});

it('Show Status twice reuses one read-only status document and opens no Untitled one', async () => {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  await vscode.commands.executeCommand('ccc.showStatus');
  const report = await vscode.commands.executeCommand('ccc.showStatus');
  const untitled = vscode.workspace.textDocuments.filter((d) => d.isUntitled);
  assert.deepEqual(untitled.map((d) => d.uri.toString()), [], 'no Untitled documents');
  const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs);
  assert.equal(tabs.length, 1, `one tab: ${tabs.map((t) => t.label).join(', ')}`);
  const shown = vscode.window.activeTextEditor.document;
  assert.equal(shown.uri.scheme, 'ccc-status');
  assert.match(shown.getText(), new RegExp(`pid ${report.daemon.pid}\\b`));
});

it('Run Doctor shows every check of the workspace folder in one read-only document', async () => {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  const runs = await vscode.commands.executeCommand('ccc.runDoctor');
  assert.equal(runs.length, 1);
  assert.deepEqual(runs[0].checks.map((c) => c.name), ['home', 'settings', 'daemon', 'model', 'walk', 'index', 'watch', 'log']);
  assert.ok(runs[0].checks.every((c) => c.status !== 'error'), JSON.stringify(runs[0].checks));
  const shown = vscode.window.activeTextEditor.document;
  assert.equal(shown.uri.scheme, 'ccc-doctor');
  // The editor takes the provider's last text a moment after the run ends.
  await waitFor('the doctor document to show the finished run', () => !/Checking…/.test(shown.getText()) && /`log`/.test(shown.getText()), 10000);
  assert.match(shown.getText(), /✓ ok\*\* `model`/);
});

const cli = (...args) => run(process.execPath, [path.join(repo, 'dist/ccc.js'), ...args]);

it('`ccc daemon stop` from the CLI sticks while the window is open; the window shows "stopped"; the next search starts the daemon', async () => {
  const before = await daemonPid();
  await vscode.commands.executeCommand('notifications.clearAll');
  assert.match(await cli('daemon', 'stop'), /stopped/);
  await sleep(5000);
  assert.deepEqual(JSON.parse(await cli('daemon', 'status', '--json')), { running: false }, 'no daemon 5 s after the stop');
  assert.throws(() => process.kill(before, 0), 'the old daemon process is gone');
  const seen = await ui('panelWait', { selector: '#state[data-state="stopped"]', state: 'visible' });
  assert.match(seen.state, /stopped/);
  const items = await ui('statusBar');
  assert.ok(items.some((text) => /ccc stopped/.test(text)), `the status bar says stopped: ${JSON.stringify(items)}`);
  const shown = await ui('notifications');
  assert.ok(!shown.some((text) => /erroring|unexpectedly/.test(text)), `no error pop-up for a stop someone asked for: ${JSON.stringify(shown)}`);
  const result = await searchTool('sum of squares');
  assert.ok(result.content.length > 0, 'the search found code');
  assert.notEqual(await daemonPid(), before, 'a new daemon');
});

it('a panel search answered while indexing is marked partial and runs again when the pass ends; the open status document follows', async () => {
  await vscode.commands.executeCommand('ccc.showStatus');
  const statusDocument = vscode.window.activeTextEditor.document;
  assert.match(statusDocument.getText(), /- 5 files/);
  const dir = path.join(root(), 'generated');
  fs.mkdirSync(dir, { recursive: true });
  // Enough files that the pass outlasts the panel's round trip by seconds (the built-in model embeds ~27,000 chunks/s).
  const generated = 5000;
  for (let i = 0; i < generated; i++) {
    const body = [0, 1, 2].map((j) => `export function scaleValue${i}x${j}(value: number): number {\n  return value * ${i} + ${j};\n}\n`).join('\n');
    fs.writeFileSync(path.join(dir, `part${i}.ts`), body);
  }
  const indexed = vscode.commands.executeCommand('ccc.reindex');
  try {
    const partial = await ui('panelSearch', { query: 'health check handler', mode: 'hybrid', paths: '', kind: '', waitFor: '.note.partial', screenshot: 'partial' });
    assert.ok(partial.notes.some((n) => /^Partial/.test(n)), JSON.stringify(partial.notes));
    assert.doesNotMatch(partial.state, /%.*\b0 chunks/, 'no percentage beside "0 chunks so far"');
    const after = await ui('panelWait', { selector: '.note.partial', screenshot: 'after-partial' });
    assert.deepEqual(after.notes.filter((n) => /^Partial/.test(n)), [], 'no longer partial');
    assert.match(after.state, new RegExp(`^Indexed: ${generated + 5} files`), after.state);
    assert.equal(after.files[0], 'src/server.go', JSON.stringify(after.files));
    await waitFor('the status document to show the new files', () => statusDocument.getText().includes(`- ${generated + 5} files`), 15000);
  } finally {
    await indexed;
    fs.rmSync(dir, { recursive: true, force: true });
    await vscode.commands.executeCommand('ccc.reindex');
  }
});

it('the panel says "No good match" for nonsense and offers the weak hits; so does the tool (needs the daemon side of issue 10)', async () => {
  const seen = await ui('panelSearch', { query: 'qqqzzzxxyy', mode: 'semantic', paths: '', kind: '', waitFor: '#summary:has-text("No good match")', screenshot: 'no-match' });
  assert.deepEqual(seen.previews, [], 'no hit presented as an answer');
  const tool = await searchTool('qqqzzzxxyy');
  assert.match(tool.content[0].value, /^No good match for "qqqzzzxxyy"/);
  if (/weak/.test(seen.notes.join(' '))) {
    await ui('panelClick', { selector: '#show-weak' });
    const weak = await ui('panelWait', { selector: '.hit', state: 'visible' });
    assert.ok(weak.notes.some((n) => /^Weak hits/.test(n)), JSON.stringify(weak.notes));
  }
});

it('the panel marks the query terms, excludes `!` globs and filters by kind (needs the daemon side of issue 10)', async () => {
  const marked = await ui('panelSearch', { query: 'sumOfSquares', mode: 'hybrid', paths: '!lib/**', kind: '', screenshot: 'negated-glob' });
  assert.ok(marked.files.length > 0 && marked.files.every((f) => !f.startsWith('lib/')), JSON.stringify(marked.files));
  assert.ok(marked.previews[0].marks.some((m) => /sumOfSquares/i.test(m)), `the term is marked: ${JSON.stringify(marked.previews[0])}`);
  const tests = await ui('panelSearch', { query: 'sum of squares', paths: '', kind: 'test' });
  assert.deepEqual(tests.files, ['test/math.test.ts']);
  assert.equal(tests.previews[0].badge, 'test', 'a badge says the hit is a test');
  await ui('panelSearch', { query: 'sum of squares', kind: '' });
});

it('the panel\'s Structural mode matches code by example, from the palette command too', async () => {
  const seen = await ui('panelSearch', { query: 'Math.min($HIGH, Math.max($LOW, $V))', mode: 'structural', paths: '', waitFor: '#summary:has-text("for structure")', screenshot: 'structural' });
  assert.deepEqual(seen.files, ['src/math.ts'], JSON.stringify(seen));
  assert.ok(seen.previews[0].marks.some((m) => m === 'high'), `the captured text is marked: ${JSON.stringify(seen.previews[0])}`);
  const none = await ui('panelSearch', { query: 'Math.max($A, Math.min($B, $C))', mode: 'structural', waitFor: '#summary:has-text("No results for structure")' });
  assert.deepEqual(none.files, []);
  await vscode.commands.executeCommand('ccc.structuralSearch', 'Math.min($HIGH, Math.max($LOW, $V))');
  const again = await ui('panelWait', { selector: '#summary:has-text("1 result for structure")', state: 'visible' });
  assert.deepEqual(again.files, ['src/math.ts']);
  await ui('panelSearch', { query: 'sum of squares', mode: 'hybrid' });
});

it('integrated terminals have the ccc launcher on PATH', async () => {
  assert.ok(fs.existsSync(api.launcher), 'launcher written');
  const version = (await run(api.launcher, ['--version'])).trim();
  assert.match(version, new RegExp(require(path.join(repo, 'package.json')).version.replace(/\./g, '\\.')));
  const out = path.join(outDir, 'terminal.txt');
  fs.rmSync(out, { force: true });
  const terminal = vscode.window.createTerminal({ name: 'ccc-it' });
  terminal.sendText(`{ command -v ccc; ccc --version; } > '${out}' 2>&1`);
  const text = await waitFor('the terminal command', () => fs.existsSync(out) && /\d+\.\d+\.\d+/.test(fs.readFileSync(out, 'utf8')) && fs.readFileSync(out, 'utf8'), 30000);
  terminal.dispose();
  // The shell's integration escapes land in the file too; the launcher's path must be the line `command -v` printed.
  assert.ok(text.split('\n').some((line) => line.endsWith(api.launcher)), `ccc on the terminal's PATH is the launcher: ${text}`);
});

exports.run = async function run() {
  let passed = 0;
  const failures = [];
  for (const test of tests) {
    const started = Date.now();
    try {
      await test.fn();
      passed += 1;
      console.log(`  ✔ ${test.name} (${Date.now() - started} ms)`);
    } catch (error) {
      failures.push(test.name);
      console.log(`  ✘ ${test.name}\n      ${error && error.stack ? error.stack.split('\n').slice(0, 4).join('\n      ') : error}`);
    }
  }
  console.log(`  measured: ${JSON.stringify(numbers)}`);
  console.log(`\n  ${passed} passing`);
  if (failures.length) console.log(`  ${failures.length} failing`);
  if (failures.length) throw new Error(`${failures.length} tests failed`);
};
