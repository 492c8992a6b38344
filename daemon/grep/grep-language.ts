// Which language a `ccc grep -t NAME` means: a ccc language id (`typescript`), a file extension (`ts`, `py`, `rs`,
// `c++`) or one of a few common names. Only languages with a Tree-sitter grammar can be searched by structure.
import { languageForPath, languages, languageSpec, TEXT } from '../../grammars/languages';

const aliases: Record<string, string> = { golang: 'go', 'c#': 'csharp', shell: 'bash', sh: 'bash', js: 'javascript', node: 'javascript' };

/** The language id for `name`, or undefined when ccc parses no such language. */
export function grepLanguage(name: string): string | undefined {
  const key = name.trim().toLowerCase().replace(/^\./, '');
  const id = languageSpec(key)?.id ?? aliases[key] ?? languageForPath(`file.${key}`, {});
  return id !== TEXT && languageSpec(id)?.grammar ? id : undefined;
}

/** Every language a pattern can be written in, for the error that names them. */
export function grepLanguages(): string[] {
  return languages.filter((language) => language.grammar).map((language) => language.id);
}
