import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  DEFAULT_GLOBAL_SETTINGS,
  DEFAULT_PROJECT_SETTINGS,
  SettingsError,
  defaultProjectSettingsYaml,
  globalSettingsMtime,
  loadGlobalSettings,
  loadProjectSettings,
  parseSize,
} from './settings';

const temp = mkdtempSync(join(tmpdir(), 'ccc-settings-'));
after(() => rmSync(temp, { recursive: true, force: true }));

let count = 0;
function project(yaml?: string): string {
  const root = join(temp, `p${count++}`);
  mkdirSync(join(root, '.ccc'), { recursive: true });
  if (yaml !== undefined) writeFileSync(join(root, '.ccc', 'settings.yml'), yaml);
  return root;
}
function home(yaml?: string): string {
  const dir = join(temp, `h${count++}`);
  mkdirSync(dir, { recursive: true });
  if (yaml !== undefined) writeFileSync(join(dir, 'settings.yml'), yaml);
  return dir;
}
function projectError(yaml: string): string {
  const root = project(yaml);
  const file = join(root, '.ccc', 'settings.yml');
  try {
    loadProjectSettings(root);
  } catch (error) {
    assert.ok(error instanceof SettingsError, `expected a SettingsError, got ${error}`);
    assert.ok(!error.message.includes('\n'), `one line: ${error.message}`);
    return error.message.replace(file, 'FILE');
  }
  assert.fail(`no error for ${JSON.stringify(yaml)}`);
}
function globalError(yaml: string): string {
  const dir = home(yaml);
  try {
    loadGlobalSettings(dir);
  } catch (error) {
    assert.ok(error instanceof SettingsError);
    assert.ok(!error.message.includes('\n'), `one line: ${error.message}`);
    return error.message.replace(join(dir, 'settings.yml'), 'FILE');
  }
  assert.fail(`no error for ${JSON.stringify(yaml)}`);
}

describe('global settings', () => {
  it('uses the defaults when the file is missing or empty', () => {
    assert.deepEqual(loadGlobalSettings(home()), DEFAULT_GLOBAL_SETTINGS);
    assert.deepEqual(loadGlobalSettings(home('# nothing yet\n')), DEFAULT_GLOBAL_SETTINGS);
    assert.equal(globalSettingsMtime(home()), null);
  });

  it('reads a valid file and merges the rest from the defaults', () => {
    const dir = home('embedding:\n  model: Xenova/all-MiniLM-L6-v2\n  batchSize: 8\ndaemon:\n  idleTimeoutMinutes: 0.05\n');
    assert.deepEqual(loadGlobalSettings(dir), {
      embedding: { model: 'Xenova/all-MiniLM-L6-v2', batchSize: 8 },
      daemon: { idleTimeoutMinutes: 0.05 },
      index: { maxMemoryMB: DEFAULT_GLOBAL_SETTINGS.index.maxMemoryMB },
    });
    assert.equal(loadGlobalSettings(home('embedding: { model: /opt/models/minilm }\n')).embedding.model, '/opt/models/minilm');
    assert.equal(loadGlobalSettings(home('daemon: { idleTimeoutMinutes: 0 }\n')).daemon.idleTimeoutMinutes, 0);
    const prefixed = loadGlobalSettings(home('embedding:\n  model: intfloat/e5-small-v2\n  queryPrefix: "q: "\n  documentPrefix: ""\n')).embedding;
    assert.deepEqual(prefixed, { model: 'intfloat/e5-small-v2', batchSize: DEFAULT_GLOBAL_SETTINGS.embedding.batchSize, queryPrefix: 'q: ', documentPrefix: '' });
    assert.equal(typeof globalSettingsMtime(dir), 'number');
  });

  it('names the file, the key and what is allowed', () => {
    assert.equal(globalError('embedding:\n  modle: x\n'), 'FILE: unknown key "embedding.modle" (allowed: embedding.model, embedding.batchSize, embedding.queryPrefix, embedding.documentPrefix)');
    assert.equal(globalError('server: {}\n'), 'FILE: unknown key "server" (allowed: embedding, daemon, index)');
    assert.equal(globalError('embedding:\n  batchSize: many\n'), 'FILE: embedding.batchSize must be a whole number from 1 to 1024 (got "many")');
    assert.match(globalError('embedding:\n  queryPrefix: 3\n'), /^FILE: embedding\.queryPrefix must be a text put before each text of that role/);
    assert.equal(
      globalError('daemon:\n  idleTimeoutMinutes: -1\n'),
      'FILE: daemon.idleTimeoutMinutes must be a number of minutes, 0 or more (0 = never exit) (got -1)',
    );
    assert.equal(
      globalError('embedding:\n  model: "not a model!"\n'),
      'FILE: embedding.model must be "builtin", a Hugging Face model id like "Xenova/all-MiniLM-L6-v2", or an absolute path to a local model folder (got "not a model!")',
    );
    assert.equal(globalError('embedding: fast\n'), 'FILE: embedding must be a mapping with model, batchSize, queryPrefix, documentPrefix (got "fast")');
    assert.equal(globalError('index:\n  maxMemoryMB: 1.5\n'), 'FILE: index.maxMemoryMB must be a whole number from 64 to 1048576 (got 1.5)');
  });

  it('reports malformed YAML with its line and column', () => {
    assert.match(globalError('embedding:\n  model: [builtin\n  batchSize: 3\n'), /^FILE:\d+:\d+: malformed YAML: \S/);
  });
});

describe('project settings', () => {
  it('uses the defaults when there is no file', () => {
    assert.deepEqual(loadProjectSettings(project()), DEFAULT_PROJECT_SETTINGS);
    assert.deepEqual(loadProjectSettings(join(temp, 'no-such-project')), DEFAULT_PROJECT_SETTINGS);
  });

  it('writes defaults that load back equal to the defaults', () => {
    const yaml = defaultProjectSettingsYaml();
    assert.match(yaml, /^# /);
    assert.match(yaml, /maxFileSize: 1MB/);
    assert.deepEqual(loadProjectSettings(project(yaml)), DEFAULT_PROJECT_SETTINGS);
  });

  it('reads a valid file', () => {
    const root = project('include: ["src/**/*.ts", "*.md"]\nexclude: ["src/gen/**"]\nmaxFileSize: 500KB\nlanguageOverrides:\n  .TPL: html\n');
    assert.deepEqual(loadProjectSettings(root), {
      include: ['src/**/*.ts', '*.md'],
      exclude: ['src/gen/**'],
      maxFileSize: 500 * 1024,
      languageOverrides: { tpl: 'html' },
    });
    assert.equal(loadProjectSettings(project('maxFileSize: 2048\n')).maxFileSize, 2048);
    assert.deepEqual(loadProjectSettings(project('exclude: []\n')).include, DEFAULT_PROJECT_SETTINGS.include);
  });

  it('parses sizes', () => {
    assert.equal(parseSize('1MB'), 1048576);
    assert.equal(parseSize('2.5 kb'), 2560);
    assert.equal(parseSize('100'), 100);
    assert.equal(parseSize(0), null);
    assert.equal(parseSize('1TB'), null);
    assert.equal(parseSize('big'), null);
  });

  it('gives one exact line for each bad value', () => {
    assert.equal(projectError('maxFileSize: big\n'), 'FILE: maxFileSize must be a size like "1MB" or a number of bytes (got "big")');
    assert.equal(projectError('maxFileSize: -5\n'), 'FILE: maxFileSize must be a size like "1MB" or a number of bytes (got -5)');
    assert.equal(projectError('includes: ["*.ts"]\n'), 'FILE: unknown key "includes" (allowed: include, exclude, maxFileSize, languageOverrides)');
    assert.equal(projectError('include: "*.ts"\n'), 'FILE: include must be a list of globs like "src/**/*.ts" (got "*.ts")');
    assert.equal(projectError('exclude: ["/abs/**"]\n'), 'FILE: exclude[0] must be a glob relative to the project root like "src/**/*.ts" (got "/abs/**")');
    assert.equal(projectError('exclude: ["ok/**", "../up"]\n'), 'FILE: exclude[1] must be a glob relative to the project root like "src/**/*.ts" (got "../up")');
    assert.equal(
      projectError('include: ["src/[ab.ts"]\n'),
      'FILE: include[0] must be a glob relative to the project root like "src/**/*.ts"; Missing closing: "]" - use "\\\\]" to match literal characters (got "src/[ab.ts")',
    );
    assert.equal(projectError('languageOverrides: {tpl: 3}\n'), 'FILE: languageOverrides.tpl must be a language name like "html" (got 3)');
    assert.equal(projectError('languageOverrides: [html]\n'), 'FILE: languageOverrides must be a mapping of file extension to language, like { tpl: html } (got a list)');
    assert.equal(projectError('- include\n'), 'FILE: must be a mapping of settings (key: value), got a list');
  });

  it('reports malformed YAML with the file and line:col', () => {
    assert.equal(
      projectError('include:\n  - "*.ts"\nexclude: [a\nmaxFileSize: 1MB\n'),
      'FILE:4:1: malformed YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    );
    assert.equal(projectError('maxFileSize: 1MB\nmaxFileSize: 2MB\n'), 'FILE:2:1: malformed YAML: Map keys must be unique');
  });
});
