// The names a user may give a language filter (`-t js`, `--type golang`, `languages: ["TypeScript"]`) and the language
// ids they stand for. Derived from `languages.ts` (each id, and each extension without its dot, names its language), plus
// rg's short names and common aliases. Case does not matter. rg's `ts` and `js` types cover `.tsx`/`.jsx` too, so a name
// may stand for more than one id.
import { languages, TEXT } from './languages';

/** rg's type names and everyday aliases that neither an id nor an extension spells. */
const ALIASES: Record<string, string[]> = {
  js: ['javascript'],
  node: ['javascript'],
  nodejs: ['javascript'],
  ts: ['typescript', 'tsx'],
  py: ['python'],
  python3: ['python'],
  rs: ['rust'],
  golang: ['go'],
  'c++': ['cpp'],
  cxx: ['cpp'],
  cplusplus: ['cpp'],
  'c#': ['csharp'],
  cs: ['csharp'],
  rb: ['ruby'],
  md: ['markdown'],
  sh: ['bash'],
  shell: ['bash'],
  zsh: ['bash'],
  yml: ['yaml'],
  kt: ['kotlin'],
  make: ['makefile'],
  docker: ['dockerfile'],
  rst: ['restructuredtext'],
  ex: ['elixir'],
  hs: ['haskell'],
  plain: [TEXT],
};

function nameTable(): Map<string, string[]> {
  const table = new Map<string, string[]>();
  const add = (name: string, ids: string[]) => {
    if (!table.has(name)) table.set(name, ids);
  };
  // Ids first, then aliases, then extensions: an extension never shadows a name given on purpose.
  for (const language of languages) add(language.id, [language.id]);
  add(TEXT, [TEXT]);
  for (const [alias, ids] of Object.entries(ALIASES)) if (ids.every((id) => id === TEXT || languages.some((l) => l.id === id))) add(alias, ids);
  for (const language of languages) for (const ext of language.extensions) add(ext.slice(1), [language.id]);
  return table;
}

let table: Map<string, string[]> | null = null;

/** The language ids a user-given name stands for, or undefined for a name ccc does not know. */
export function resolveLanguageName(name: string): string[] | undefined {
  table ??= nameTable();
  return table.get(name.trim().toLowerCase());
}

/** Every language id with the other names that select it, sorted by id (for `--type-list` and error messages). */
export function languageNameList(): { id: string; names: string[] }[] {
  table ??= nameTable();
  const byId = new Map<string, string[]>();
  for (const [name, ids] of table) {
    for (const id of ids) {
      if (!byId.has(id)) byId.set(id, []);
      if (name !== id) byId.get(id)!.push(name);
    }
  }
  return [...byId].map(([id, names]) => ({ id, names })).sort((a, b) => a.id.localeCompare(b.id));
}

/** Resolves every name to ids (deduplicated) or throws an Error naming the unknown one and the valid names. */
export function resolveLanguageNames(names: string[]): string[] {
  const ids = new Set<string>();
  for (const name of names) {
    const resolved = resolveLanguageName(name);
    if (!resolved) {
      const valid = languageNameList().map((entry) => entry.id).join(', ');
      throw new Error(`unknown language "${name}"; use one of: ${valid} (or a short name such as js, ts, py, rs, golang, c++; see ccc search --type-list)`);
    }
    for (const id of resolved) ids.add(id);
  }
  return [...ids];
}
