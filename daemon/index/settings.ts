// Global ($CCC_HOME/settings.yml) and project (<root>/.ccc/settings.yml) settings: read, validated, merged with defaults.
// Every problem becomes one SettingsError line naming the file, the key and what is allowed.
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import picomatch from 'picomatch';
import { parseDocument } from 'yaml';

export interface GlobalSettings {
  /** Prefixes absent: the model family's known ones (embedder.ts `defaultPrefixes`). */
  embedding: { model: string; batchSize: number; queryPrefix?: string; documentPrefix?: string };
  daemon: { idleTimeoutMinutes: number };
  index: { maxMemoryMB: number };
}

export const DEFAULT_GLOBAL_SETTINGS: GlobalSettings = {
  embedding: { model: 'builtin', batchSize: 16 },
  daemon: { idleTimeoutMinutes: 60 },
  index: { maxMemoryMB: 2048 },
};

export interface ProjectSettings {
  include: string[];
  exclude: string[];
  /** Bytes. */
  maxFileSize: number;
  /** File extension (without the dot) → language name. */
  languageOverrides: Record<string, string>;
}

export const DEFAULT_PROJECT_SETTINGS: ProjectSettings = {
  include: [
    '**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}',
    '**/*.{py,pyi}',
    '**/*.{go,rs,java,kt,kts,scala,swift,dart,zig}',
    '**/*.{c,h,cc,cpp,cxx,hh,hpp,hxx,cs,m,mm}',
    '**/*.{rb,php,pl,pm,lua,r,jl}',
    '**/*.{ex,exs,erl,hrl,hs,ml,mli,clj,cljs,elm,gleam,nix}',
    '**/*.{sh,bash,zsh,fish,ps1}',
    '**/*.{html,htm,css,scss,sass,less,vue,svelte,astro}',
    '**/*.{ejs,hbs,handlebars,mustache,njk,tmpl}',
    '**/*.{json,jsonc,yaml,yml,toml,xml,ini,properties,tf,hcl,proto,graphql,gql}',
    '**/*.{md,mdx,rst,tex}',
    '**/*.sql',
    '**/{Dockerfile,Makefile,CMakeLists.txt,Rakefile,Gemfile,Jenkinsfile,Vagrantfile}',
  ],
  exclude: [
    '**/.*/**',
    '**/{node_modules,dist,build,out,target,vendor,coverage,__pycache__}/**',
    '**/{package-lock.json,npm-shrinkwrap.json,pnpm-lock.yaml,yarn.lock,bun.lock,Cargo.lock,Gemfile.lock,poetry.lock,composer.lock,go.sum}',
    '**/*.lock',
    '**/*.min.{js,css}',
    '**/*.{bundle,chunk}.js',
  ],
  maxFileSize: 1024 * 1024,
  languageOverrides: {},
};

export class SettingsError extends Error {}

type Plain = Record<string, unknown>;

// ------------------------------------------------------------------------------------------
// Global settings

export function globalSettingsFile(home: string): string {
  return join(home, 'settings.yml');
}

export function loadGlobalSettings(home: string): GlobalSettings {
  const file = globalSettingsFile(home);
  const data = readYamlObject(file);
  if (!data) return structuredClone(DEFAULT_GLOBAL_SETTINGS);
  const check = new Checker(file);
  check.onlyKeys(data, '', ['embedding', 'daemon', 'index']);
  const embedding = check.section(data, 'embedding', ['model', 'batchSize', 'queryPrefix', 'documentPrefix']);
  const daemon = check.section(data, 'daemon', ['idleTimeoutMinutes']);
  const index = check.section(data, 'index', ['maxMemoryMB']);
  const d = DEFAULT_GLOBAL_SETTINGS;
  return {
    embedding: {
      model: 'model' in embedding ? check.model(embedding.model) : d.embedding.model,
      batchSize: 'batchSize' in embedding ? check.integer(embedding.batchSize, 'embedding.batchSize', 1, 1024) : d.embedding.batchSize,
      ...('queryPrefix' in embedding ? { queryPrefix: check.prefix(embedding.queryPrefix, 'embedding.queryPrefix') } : {}),
      ...('documentPrefix' in embedding ? { documentPrefix: check.prefix(embedding.documentPrefix, 'embedding.documentPrefix') } : {}),
    },
    daemon: {
      idleTimeoutMinutes: 'idleTimeoutMinutes' in daemon ? check.minutes(daemon.idleTimeoutMinutes) : d.daemon.idleTimeoutMinutes,
    },
    index: {
      maxMemoryMB: 'maxMemoryMB' in index ? check.integer(index.maxMemoryMB, 'index.maxMemoryMB', 64, 1024 * 1024) : d.index.maxMemoryMB,
    },
  };
}

/** mtime of the global settings file, or null when there is none; the client restarts the daemon when it changes. */
export function globalSettingsMtime(home: string): number | null {
  try {
    return statSync(globalSettingsFile(home)).mtimeMs;
  } catch {
    return null;
  }
}

// ------------------------------------------------------------------------------------------
// Project settings

export function projectSettingsFile(root: string): string {
  return join(root, '.ccc', 'settings.yml');
}

export function loadProjectSettings(root: string): ProjectSettings {
  const file = projectSettingsFile(root);
  const data = readYamlObject(file);
  if (!data) return structuredClone(DEFAULT_PROJECT_SETTINGS);
  const check = new Checker(file);
  check.onlyKeys(data, '', ['include', 'exclude', 'maxFileSize', 'languageOverrides']);
  const d = DEFAULT_PROJECT_SETTINGS;
  return {
    include: 'include' in data ? check.globs(data.include, 'include') : [...d.include],
    exclude: 'exclude' in data ? check.globs(data.exclude, 'exclude') : [...d.exclude],
    maxFileSize: 'maxFileSize' in data ? check.size(data.maxFileSize) : d.maxFileSize,
    languageOverrides: 'languageOverrides' in data ? check.overrides(data.languageOverrides) : { ...d.languageOverrides },
  };
}

/** The project settings file `ccc init` writes: every default spelled out and explained. */
export function defaultProjectSettingsYaml(): string {
  const list = (items: string[]) => items.map((item) => `  - ${JSON.stringify(item)}\n`).join('');
  const d = DEFAULT_PROJECT_SETTINGS;
  return (
    '# ccc project settings. Read fresh at every index pass; commit this folder to share them.\n' +
    '# Globs are relative to the project root ("/" separators); a glob without "/" matches a name at any depth.\n' +
    '# .gitignore files (at every level) and .git/info/exclude are always honoured as well.\n\n' +
    '# Files to index.\n' +
    `include:\n${list(d.include)}\n` +
    '# Files and folders to leave out; exclude wins over include.\n' +
    `exclude:\n${list(d.exclude)}\n` +
    '# Larger files are skipped. A size like "500KB" or "2MB", or a number of bytes.\n' +
    `maxFileSize: ${formatSize(d.maxFileSize)}\n\n` +
    '# Language by file extension, for extensions ccc does not know or guesses wrong, e.g.\n' +
    '#   languageOverrides:\n' +
    '#     tpl: html\n' +
    '#     h: cpp\n' +
    'languageOverrides: {}\n'
  );
}

const SIZE_UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };

/** "1MB", "500KB", "2.5 MB", "1048576" or a number → bytes; null when it is none of these. */
export function parseSize(value: unknown): number | null {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : null;
  if (typeof value !== 'string') return null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)?\s*$/i.exec(value);
  if (!match) return null;
  const bytes = Math.round(Number(match[1]) * SIZE_UNITS[(match[2] ?? 'B').toUpperCase()]);
  return bytes > 0 ? bytes : null;
}

/** 1048576 → "1MB", 1536 → "1.5KB", 1000 → "1000B": a human size that parseSize reads back exactly. */
export function formatSize(bytes: number): string {
  for (const unit of ['GB', 'MB', 'KB']) {
    const amount = bytes / SIZE_UNITS[unit];
    if (amount >= 1 && Number.isInteger(amount * 10)) return `${amount}${unit}`;
  }
  return `${bytes}B`;
}

// ------------------------------------------------------------------------------------------
// Reading and checking

/** The file's top-level mapping; null when the file is missing or empty. */
function readYamlObject(file: string): Plain | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new SettingsError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const doc = parseDocument(text, { prettyErrors: true });
  const error = doc.errors[0];
  if (error) {
    const where = error.linePos ? `:${error.linePos[0].line}:${error.linePos[0].col}` : '';
    const what = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new SettingsError(`${file}${where}: malformed YAML: ${what}`);
  }
  const data: unknown = doc.toJS();
  if (data === null || data === undefined) return null;
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new SettingsError(`${file}: must be a mapping of settings (key: value), got ${describe(data)}`);
  }
  return data as Plain;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}

class Checker {
  constructor(private readonly file: string) {}

  fail(key: string, allowed: string, value: unknown): never {
    throw new SettingsError(`${this.file}: ${key} must be ${allowed} (got ${describe(value)})`);
  }

  onlyKeys(data: Plain, prefix: string, allowed: string[]): void {
    for (const key of Object.keys(data)) {
      if (!allowed.includes(key)) {
        throw new SettingsError(`${this.file}: unknown key "${prefix}${key}" (allowed: ${allowed.map((k) => prefix + k).join(', ')})`);
      }
    }
  }

  section(data: Plain, name: string, allowed: string[]): Plain {
    const value = data[name];
    if (value === undefined || value === null) return {};
    if (typeof value !== 'object' || Array.isArray(value)) this.fail(name, `a mapping with ${allowed.join(', ')}`, value);
    this.onlyKeys(value as Plain, `${name}.`, allowed);
    return value as Plain;
  }

  model(value: unknown): string {
    const allowed = '"builtin", a Hugging Face model id like "Xenova/all-MiniLM-L6-v2", or an absolute path to a local model folder';
    if (typeof value !== 'string') this.fail('embedding.model', allowed, value);
    const model = value.trim();
    if (model === 'builtin' || isAbsolute(model) || /^[\w.-]+(\/[\w.-]+)?$/.test(model)) return model;
    return this.fail('embedding.model', allowed, value);
  }

  prefix(value: unknown, key: string): string {
    if (typeof value === 'string' && value.length <= 200) return value;
    return this.fail(key, 'a text put before each text of that role, like "query: " (quote it to keep the space; "" for none)', value);
  }

  integer(value: unknown, key: string, min: number, max: number): number {
    if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
    return this.fail(key, `a whole number from ${min} to ${max}`, value);
  }

  minutes(value: unknown): number {
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
    return this.fail('daemon.idleTimeoutMinutes', 'a number of minutes, 0 or more (0 = never exit)', value);
  }

  size(value: unknown): number {
    return parseSize(value) ?? this.fail('maxFileSize', 'a size like "1MB" or a number of bytes', value);
  }

  globs(value: unknown, key: string): string[] {
    if (!Array.isArray(value)) this.fail(key, 'a list of globs like "src/**/*.ts"', value);
    return value.map((glob, i) => this.glob(glob, `${key}[${i}]`));
  }

  glob(value: unknown, key: string): string {
    const allowed = 'a glob relative to the project root like "src/**/*.ts"';
    if (typeof value !== 'string' || value.trim() === '') this.fail(key, allowed, value);
    if (value.startsWith('/') || value.includes('\\') || /(^|\/)\.\.(\/|$)/.test(value)) this.fail(key, allowed, value);
    try {
      picomatch.makeRe(value, { strictBrackets: true });
    } catch (error) {
      this.fail(key, `${allowed}; ${(error as Error).message.split('\n')[0]}`, value);
    }
    return value;
  }

  overrides(value: unknown): Record<string, string> {
    const allowed = 'a mapping of file extension to language, like { tpl: html }';
    if (value === null) return {};
    if (typeof value !== 'object' || Array.isArray(value)) this.fail('languageOverrides', allowed, value);
    const result: Record<string, string> = {};
    for (const [ext, language] of Object.entries(value as Plain)) {
      const key = `languageOverrides.${ext}`;
      if (!/^\.?[\w+#-]+(\.[\w+#-]+)*$/.test(ext)) {
        throw new SettingsError(`${this.file}: ${key}: the key must be a file extension like "tpl" or ".tpl"`);
      }
      if (typeof language !== 'string' || !/^[\w+#-]+$/.test(language)) this.fail(key, 'a language name like "html"', language);
      result[ext.replace(/^\./, '').toLowerCase()] = language;
    }
    return result;
  }
}
