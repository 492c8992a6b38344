#!/usr/bin/env node
// `npm test`: runs every suite in order, each one even when an earlier one failed (a chain of `&&` hid the later
// suites' results), then prints one line per suite and `N passed, N failed`, and exits 1 if any failed.
// Each suite is a package.json script; `node test/run-all.mjs typecheck test:unit` runs only those. Ctrl-C stops the run.
import { spawnSync } from 'node:child_process';

const ALL = ['build', 'typecheck', 'test:unit', 'test:e2e', 'test:hardening', 'test:vscode', 'test:vsix'];

const unknown = process.argv.slice(2).filter((name) => !ALL.includes(name));
if (unknown.length > 0) {
  console.error(`unknown suite ${unknown.join(', ')}; the suites are ${ALL.join(', ')}`);
  process.exit(2);
}
const SUITES = process.argv.length > 2 ? ALL.filter((name) => process.argv.includes(name)) : ALL;

function runSuite(name) {
  console.log(`\n=== npm run ${name}`);
  const started = Date.now();
  const run = spawnSync('npm', ['run', '--silent', name], { stdio: 'inherit', shell: process.platform === 'win32' });
  const seconds = Math.round((Date.now() - started) / 1000);
  const how = run.error ? run.error.message : run.signal ? `killed by ${run.signal}` : `exit ${run.status}`;
  return { name, passed: run.status === 0, seconds, how, interrupted: run.signal === 'SIGINT' };
}

const results = [];
for (const name of SUITES) {
  const result = runSuite(name);
  results.push(result);
  if (result.interrupted) break;
}

console.log('\n=== summary');
for (const { name, passed, seconds, how } of results) {
  console.log(`${passed ? 'passed' : 'FAILED'}  ${name.padEnd(16)} ${String(seconds).padStart(5)} s${passed ? '' : `  (${how})`}`);
}
const notRun = SUITES.slice(results.length);
if (notRun.length > 0) console.log(`not run (interrupted): ${notRun.join(', ')}`);
const failed = results.filter((result) => !result.passed).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exitCode = failed > 0 || notRun.length > 0 ? 1 : 0;
