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
  assert.equal(result.counts.files, 4, 'the fixture\'s four source files');
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

it('the search panel: typing a query shows results, clicking one opens the editor at its lines', async () => {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  await vscode.commands.executeCommand('ccc.searchPanel.focus');
  const seen = await ui('panelSearch', { query: 'sum of squares' });
  assert.ok(seen.files.length > 0, 'results grouped by file');
  const editor = await waitFor('the editor the click opened', () => vscode.window.activeTextEditor);
  const file = relative(editor);
  assert.ok(['src/math.ts', 'lib/stats.js'].includes(file), `opened ${file} (${seen.label})`);
  const expected = file === 'src/math.ts' ? lineOf(file, 'function sumOfSquares') : lineOf(file, 'function squaredSum');
  assert.ok(Math.abs(editor.selection.start.line - expected) <= 2, `selection starts at line ${editor.selection.start.line + 1}, function at ${expected + 1}`);
  assert.ok(!editor.selection.isEmpty, 'the hit\'s range is selected');
  assert.ok(fs.existsSync(path.join(outDir, 'search-panel.png')), 'screenshot saved');
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
  assert.equal(editor.selection.start.line, hit.startLine - 1);
  assert.equal(editor.selection.end.line, hit.endLine - 1, `the hit's lines are selected: ${JSON.stringify(hit)}`);
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
