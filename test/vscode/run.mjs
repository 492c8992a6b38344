#!/usr/bin/env node
// Runs ccc's extension tests in a REAL VS Code: the VS Code server inside the code-server npm package (a Node extension
// host with the full vscode API) and its web workbench in headless Chromium, driven by playwright-core. It plays the
// role of @vscode/test-electron, which cannot download VS Code here. Builds nothing: run `npm run build` first.
//
//   node test/vscode/run.mjs [--timeout-s 300] [--vsix FILE]       (setup once: test/vscode/setup.sh)
// --vsix runs the same tests on the packaged extension, unpacked from the VSIX (its bundles, model, grammars and native
// binaries), instead of on this checkout.
// The tests in suite/ run inside the extension host. When one needs a person's hands (typing in the panel, clicking a
// result), it writes ui-request.json into $CCC_IT_UI_DIR; this runner does it through the page and answers ui-done.json.
// Env: IT_QUIET=1 hides extension-host output, IT_DEBUG=1 prints the browser console, IT_KEEP=1 keeps the temp folder.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const require = createRequire(path.join(here, 'package.json'));
const argv = process.argv.slice(2);
const opt = (name, fallback) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : fallback; };
const timeoutS = Number(opt('timeout-s', '300'));
const vsix = opt('vsix', null);

let chromium;
try {
  ({ chromium } = require('playwright-core'));
  require.resolve('code-server/package.json');
} catch {
  console.error('The VS Code test host is not installed: run test/vscode/setup.sh first.');
  process.exit(2);
}
if (vsix && !fs.existsSync(vsix)) {
  console.error(`${vsix} is missing: run \`npm run package\` first.`);
  process.exit(2);
}

const vscodeRoot = path.join(path.dirname(require.resolve('code-server/package.json')), 'lib/vscode');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ccc-vscode-it-'));
// The extension under test: this checkout, or the VSIX's `extension/` folder.
const extension = vsix ? unpackVsix(vsix) : repo;
for (const built of ['dist/extension.js', 'dist/webview.js', 'dist/daemon.js', 'dist/ccc.js']) {
  if (!fs.existsSync(path.join(extension, built))) {
    console.error(`${built} is missing in ${extension}: run \`npm run build\` first.`);
    process.exit(2);
  }
}

function unpackVsix(file) {
  execFileSync('unzip', ['-q', file, 'extension/*', '-d', path.join(tmp, 'vsix')]);
  return path.join(tmp, 'vsix', 'extension');
}
const outDir = path.join(here, 'out');
const uiDir = path.join(tmp, 'ui');
const cccHome = path.join(tmp, 'ccc-home');
// A copy of the fixture, so the index and anything VS Code writes stay out of the source tree.
const workspace = path.join(tmp, 'fixture');
fs.cpSync(path.join(here, 'fixture'), workspace, { recursive: true });
for (const dir of [outDir, uiDir, cccHome, path.join(tmp, 'data/User')]) fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(tmp, 'data/User/settings.json'), JSON.stringify({
  'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'update.mode': 'none',
  'extensions.autoUpdate': false, 'extensions.autoCheckUpdates': false, 'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false, 'git.enabled': false, 'github.gitAuthentication': false,
}));

const t0 = Date.now();
const lap = (message) => console.log(`[it ${((Date.now() - t0) / 1000).toFixed(1)}s] ${message}`);
const port = await new Promise((resolve) => {
  const server = net.createServer();
  server.listen(0, '127.0.0.1', () => { const { port } = server.address(); server.close(() => resolve(port)); });
});

// The extension host inherits this environment: a private CCC_HOME, the UI hand-off folder, and a private TMPDIR
// (VS Code leaves vscode-ipc-*.sock there).
const env = {
  ...process.env, CCC_HOME: cccHome, CCC_IT_UI_DIR: uiDir, CCC_IT_OUT_DIR: outDir, CCC_IT_REPO: extension, TMPDIR: tmp,
  XDG_DATA_HOME: path.join(tmp, 'xdg-data'), XDG_CONFIG_HOME: path.join(tmp, 'xdg-config'),
};
const serverLog = fs.openSync(path.join(tmp, 'server.log'), 'w');
// --enable-smoke-test-driver: the web workbench honours the extension-development/test payload only with it.
const server = spawn(process.execPath, [path.join(vscodeRoot, 'out/server-main.js'), '--host', '127.0.0.1', '--port', String(port),
  '--without-connection-token', '--accept-server-license-terms', '--enable-smoke-test-driver', '--disable-workspace-trust',
  '--telemetry-level', 'off', '--user-data-dir', path.join(tmp, 'data'), '--server-data-dir', path.join(tmp, 'server-data'),
  '--extensions-dir', path.join(tmp, 'extensions')], { stdio: ['ignore', serverLog, serverLog], detached: true, env });

function stopDaemon() {
  try {
    execFileSync(process.execPath, [path.join(extension, 'dist/ccc.js'), 'daemon', 'stop'], { env: { ...process.env, CCC_HOME: cccHome }, stdio: 'ignore', timeout: 15000 });
  } catch {
    // The CLI may not know `daemon stop` or the daemon is gone; the pid file names the one our tests started.
    try { process.kill(Number(fs.readFileSync(path.join(cccHome, 'daemon.pid'), 'utf8')), 'SIGTERM'); } catch {}
  }
}
const cleanUp = () => { try { process.kill(-server.pid, 'SIGTERM'); } catch {} };
process.on('exit', cleanUp);
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));

/** The hands the in-host tests ask for. Each returns what it saw, for the test to check. */
const panelFrame = (page) => page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
const screenshotDir = path.join(outDir, 'screenshots');

/** What the panel shows: its state line, summary, notes, files and each hit's preview. */
async function panelSeen(panel) {
  return {
    state: await panel.locator('#state').innerText(),
    summary: await panel.locator('#summary').innerText(),
    notes: await panel.locator('#notes .note').allInnerTexts(),
    files: await panel.locator('.file-name').allInnerTexts(),
    label: await panel.locator('.hit').first().getAttribute('aria-label', { timeout: 1000 }).catch(() => null),
    previews: await panel.locator('.hit').evaluateAll((rows) => rows.map((row) => ({
      label: row.getAttribute('aria-label'),
      lines: row.querySelectorAll('.code .line').length,
      marks: [...row.querySelectorAll('.code mark')].map((m) => m.textContent),
      best: row.querySelector('.code .line.best .ln')?.textContent ?? null,
      badge: row.querySelector('.badge')?.textContent ?? null,
      more: row.querySelector('.expand')?.textContent ?? null,
    }))),
  };
}

const uiSteps = {
  // Runs a query in the search panel (typed key by key with `type`, else pasted and Enter), with optional filters; waits for
  // `waitFor` (a selector in the panel, default a hit), screenshots when asked, and clicks the first hit with `click`.
  async panelSearch(page, { query, type = false, paths, kind, mode, waitFor = '.hit', screenshot, click = false }) {
    const panel = panelFrame(page);
    const box = panel.locator('#query');
    await box.waitFor({ timeout: 30000 });
    if (paths !== undefined) await panel.locator('#paths').fill(paths);
    if (kind !== undefined) await panel.locator('#kind').selectOption(kind);
    if (mode !== undefined) await panel.locator(`input[name="mode"][value="${mode}"]`).check();
    await box.click();
    if (type) {
      await box.fill('');
      await box.pressSequentially(query, { delay: 40 });
    } else {
      await box.fill(query);
      await box.press('Enter');
    }
    await panel.locator(waitFor).first().waitFor({ timeout: 60000 });
    const seen = await panelSeen(panel);
    if (screenshot) {
      fs.mkdirSync(screenshotDir, { recursive: true });
      await page.screenshot({ path: path.join(screenshotDir, `${screenshot}.png`) });
    }
    if (click) await panel.locator('.hit').first().click();
    return seen;
  },
  // Waits until `selector` is gone from the panel (or shows, with `state: 'visible'`), then reports what it shows.
  async panelWait(page, { selector, state = 'detached', screenshot }) {
    const panel = panelFrame(page);
    await panel.locator(selector).first().waitFor({ state, timeout: 120000 });
    if (screenshot) {
      fs.mkdirSync(screenshotDir, { recursive: true });
      await page.screenshot({ path: path.join(screenshotDir, `${screenshot}.png`) });
    }
    return panelSeen(panel);
  },
  async panelClick(page, { selector }) {
    await panelFrame(page).locator(selector).first().click();
    return true;
  },
  // Moves through the results with the keyboard and opens the second one with Enter.
  async panelKeyboard(page) {
    const panel = panelFrame(page);
    await panel.locator('#query').click();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const label = await panel.locator('.hit:focus').getAttribute('aria-label', { timeout: 10000 });
    await page.keyboard.press('Enter');
    return { label };
  },
  // The texts of the status bar's items.
  async statusBar(page) {
    return page.locator('.statusbar-item').allInnerTexts();
  },
  // The messages of the notifications the workbench shows (toasts and the notification centre).
  async notifications(page) {
    return page.locator('.notification-list-item-message').allInnerTexts();
  },
  // Types into whatever has focus, as a person's next keystrokes would.
  async typeKeys(page, { text }) {
    await page.keyboard.type(text, { delay: 30 });
    return true;
  },
};

async function serveUiRequests(page, stopped) {
  const request = path.join(uiDir, 'ui-request.json');
  while (!stopped()) {
    if (fs.existsSync(request)) {
      const { step, args, id } = JSON.parse(fs.readFileSync(request, 'utf8'));
      fs.rmSync(request);
      lap(`ui step ${step}`);
      let answer;
      try { answer = { id, ok: true, result: await uiSteps[step](page, args ?? {}) }; } catch (error) { answer = { id, ok: false, error: String(error?.message ?? error) }; }
      fs.writeFileSync(path.join(uiDir, 'ui-done.tmp'), JSON.stringify(answer));
      fs.renameSync(path.join(uiDir, 'ui-done.tmp'), path.join(uiDir, 'ui-done.json'));
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

let browser;
let code = 1;
const counts = { passed: undefined, failed: 0 };
try {
  for (let i = 0; ; i++) {
    try { if ((await fetch(`http://127.0.0.1:${port}/version`)).ok) break; } catch {}
    if (server.exitCode !== null || i > 1200) throw new Error(`VS Code server did not come up; see ${path.join(tmp, 'server.log')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  lap(`VS Code server up on 127.0.0.1:${port} (tmp ${tmp})`);
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu',
    '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'] });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  let finish;
  const exited = new Promise((resolve) => (finish = resolve));
  // The workbench forwards extension-host console output here and calls codeAutomationExit(code) when run() settles.
  const noise = /^\[(AgentHost|ChatModelSelection|reconnection-grace-time|Service Worker)|^(Resolving|Resolved) connection token|^Creating a socket|ENOTFOUND|^Launched Extension Host|^Started local extension host|^\s*at /;
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const message = util.format(...(args || []));
    let m;
    if ((m = message.match(/^\s*(\d+) passing/m))) counts.passed = Number(m[1]);
    if ((m = message.match(/^\s*(\d+) failing/m))) counts.failed = Number(m[1]);
    if (process.env.IT_QUIET !== '1' && !noise.test(message.trim())) console[type === 'error' ? 'error' : 'log'](`  │ ${message.replace(/\n/g, '\n  │ ')}`);
  });
  await page.exposeFunction('codeAutomationExit', (exitCode) => finish(exitCode));
  page.on('pageerror', (error) => console.error('[page]', error.message));
  if (process.env.IT_DEBUG === '1') page.on('console', (m) => console.log(`[console.${m.type()}]`, m.text().slice(0, 400)));
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  const payload = JSON.stringify([['extensionDevelopmentPath', remote(extension)], ['extensionTestsPath', remote(path.join(here, 'suite/index.js'))]]);
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`);
  lap('workbench loading; tests run in the extension host');
  let done = false;
  const ui = serveUiRequests(page, () => done);
  code = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('timeout'), timeoutS * 1000))]);
  done = true;
  await ui;
  await page.screenshot({ path: path.join(outDir, 'final.png') }).catch(() => {});
  if (code === 'timeout') { console.error(`[it] timed out after ${timeoutS}s`); code = 124; }
  lap(`extension tests exit code ${code}`);
} catch (error) {
  console.error('[it] error:', error);
  code = 1;
} finally {
  await browser?.close().catch(() => {});
  cleanUp();
  stopDaemon();
  if (code === 0 && process.env.IT_KEEP !== '1') fs.rmSync(tmp, { recursive: true, force: true });
  else console.log(`[it] logs kept in ${tmp} (daemon log: ${path.join(cccHome, 'daemon.log')})`);
}
if (counts.passed !== undefined) console.log(`vscode-it: ${counts.passed} passed, ${code !== 0 && !counts.failed ? 1 : counts.failed} failed`);
else console.log(`vscode-it: 0 passed, ${code === 0 ? 0 : 1} failed`);
process.exit(code);
