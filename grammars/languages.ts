// The languages ccc knows: which files are which language, which Tree-sitter grammar parses them and which query
// finds their definitions. The query language and capture names are described in grammars/README.md.
import { definitionQueries } from './definition-queries';

export interface LanguageSpec {
  id: string;
  /** Lower-case, with the dot. */
  extensions: string[];
  /** Whole file names (for files like `Makefile` that have no telling extension). */
  fileNames?: string[];
  /** Stem of `tree-sitter-<grammar>.wasm`; absent when the language is chunked without a parser. */
  grammar?: string;
}

/** The id of files that no grammar fits: they go through the text splitter. */
export const TEXT = 'text';

export const languages: LanguageSpec[] = [
  { id: 'typescript', extensions: ['.ts', '.mts', '.cts'], grammar: 'typescript' },
  { id: 'tsx', extensions: ['.tsx'], grammar: 'tsx' },
  { id: 'javascript', extensions: ['.js', '.mjs', '.cjs', '.jsx'], grammar: 'javascript' },
  { id: 'python', extensions: ['.py', '.pyi', '.pyw'], grammar: 'python' },
  { id: 'go', extensions: ['.go'], grammar: 'go' },
  { id: 'rust', extensions: ['.rs'], grammar: 'rust' },
  { id: 'java', extensions: ['.java'], grammar: 'java' },
  { id: 'c', extensions: ['.c', '.h'], grammar: 'c' },
  { id: 'cpp', extensions: ['.cc', '.cpp', '.cxx', '.c++', '.hh', '.hpp', '.hxx', '.h++', '.ipp', '.inl'], grammar: 'cpp' },
  { id: 'csharp', extensions: ['.cs'], grammar: 'c_sharp' },
  { id: 'ruby', extensions: ['.rb', '.rake', '.gemspec'], fileNames: ['Rakefile', 'Gemfile'], grammar: 'ruby' },
  { id: 'php', extensions: ['.php'], grammar: 'php' },
  { id: 'kotlin', extensions: ['.kt', '.kts'], grammar: 'kotlin' },
  { id: 'swift', extensions: ['.swift'], grammar: 'swift' },
  { id: 'scala', extensions: ['.scala', '.sc'], grammar: 'scala' },
  { id: 'bash', extensions: ['.sh', '.bash', '.zsh'], fileNames: ['.bashrc', '.zshrc', '.profile'], grammar: 'bash' },
  { id: 'lua', extensions: ['.lua'], grammar: 'lua' },
  { id: 'dart', extensions: ['.dart'], grammar: 'dart' },
  { id: 'elixir', extensions: ['.ex', '.exs'], grammar: 'elixir' },
  { id: 'haskell', extensions: ['.hs'], grammar: 'haskell' },
  { id: 'zig', extensions: ['.zig'], grammar: 'zig' },
  // Templates are HTML with tags of their own (`<% %>`, `{{ }}`): the HTML grammar still finds their elements.
  { id: 'html', extensions: ['.html', '.htm', '.xhtml', '.ejs', '.hbs', '.handlebars', '.mustache', '.njk', '.tmpl', '.vue', '.svelte'], grammar: 'html' },
  { id: 'css', extensions: ['.css'], grammar: 'css' },
  { id: 'scss', extensions: ['.scss'], grammar: 'scss' },
  { id: 'json', extensions: ['.json', '.jsonc', '.json5'], fileNames: ['.babelrc', '.eslintrc'], grammar: 'json' },
  { id: 'yaml', extensions: ['.yml', '.yaml'], grammar: 'yaml' },
  // Headings are found by a line scan: Markdown's structure is in its lines, and no parse can fail.
  { id: 'markdown', extensions: ['.md', '.markdown', '.mdx'] },
  // Known languages without a definitions query: named for search filters, chunked by the text splitter.
  { id: 'sql', extensions: ['.sql'] },
  { id: 'toml', extensions: ['.toml'] },
  { id: 'xml', extensions: ['.xml', '.xsd', '.xsl', '.svg', '.plist'], grammar: 'xml' },
  { id: 'makefile', extensions: ['.mk'], fileNames: ['Makefile', 'GNUmakefile', 'makefile'] },
  { id: 'dockerfile', extensions: ['.dockerfile'], fileNames: ['Dockerfile', 'Containerfile'] },
  { id: 'restructuredtext', extensions: ['.rst'] },
  { id: 'clojure', extensions: ['.clj', '.cljs', '.cljc', '.edn'], grammar: 'clojure' },
  { id: 'elm', extensions: ['.elm'], grammar: 'elm' },
  { id: 'gleam', extensions: ['.gleam'], grammar: 'gleam' },
  { id: 'hcl', extensions: ['.tf', '.tfvars', '.hcl', '.nomad'], grammar: 'hcl' },
  { id: 'nix', extensions: ['.nix'], grammar: 'nix' },
  { id: 'perl', extensions: ['.pl', '.pm', '.t'], grammar: 'perl' },
  { id: 'r', extensions: ['.r'], fileNames: ['.Rprofile'], grammar: 'r' },
  { id: 'latex', extensions: ['.tex', '.sty', '.cls', '.ltx'], grammar: 'latex' },
  { id: 'gdscript', extensions: ['.gd'], grammar: 'gdscript' },
  { id: 'agda', extensions: ['.agda'], grammar: 'agda' },
  { id: 'properties', extensions: ['.properties'], grammar: 'properties' },
  { id: 'sparql', extensions: ['.rq', '.sparql'], grammar: 'sparql' },
  { id: 'talon', extensions: ['.talon'], grammar: 'talon' },
  // Tree-sitter's query files (`queries/highlights.scm`); Scheme shares the extension: map `.scm` to `text` in settings if it is Scheme.
  { id: 'tsquery', extensions: ['.scm'], grammar: 'query' },
  { id: 'dtd', extensions: ['.dtd'], grammar: 'dtd' },
];

const byId = new Map(languages.map((language) => [language.id, language]));
const byExtension = new Map(languages.flatMap((language) => language.extensions.map((ext) => [ext, language.id] as const)));
const byFileName = new Map(languages.flatMap((language) => (language.fileNames ?? []).map((name) => [name, language.id] as const)));

export function languageSpec(id: string): LanguageSpec | undefined {
  return byId.get(id);
}

/** The definitions query of a language, when it has a grammar to run it on. */
export function definitionQuery(id: string): string | undefined {
  const spec = byId.get(id);
  return spec?.grammar ? definitionQueries[spec.grammar] : undefined;
}

/**
 * The language of a root-relative path. `overrides` maps an extension (`.mjs` or `mjs`) to a language id and wins over
 * the table; a path no entry fits is `'text'`.
 */
export function languageForPath(relPath: string, overrides: Record<string, string>): string {
  const fileName = relPath.slice(relPath.lastIndexOf('/') + 1);
  const dot = fileName.lastIndexOf('.');
  const ext = dot > 0 ? fileName.slice(dot).toLowerCase() : '';
  if (ext) {
    const override = overrides[ext] ?? overrides[ext.slice(1)];
    if (override) return override;
  }
  return byFileName.get(fileName) ?? (ext ? byExtension.get(ext) : undefined) ?? TEXT;
}

/** The ids of the languages whose definitions Tree-sitter finds, sorted (Markdown's headings come from a line scan). */
export function treeSitterLanguages(): string[] {
  return languages.filter((language) => language.grammar && definitionQueries[language.grammar]).map((language) => language.id).sort();
}
