// Which language a `ccc grep -t NAME` means, by the same names as search filters (`grammars/language-names.ts`: ids,
// extensions, rg's short names). Only languages with a Tree-sitter grammar can be searched by structure; where a name
// stands for several (`ts`: typescript and tsx), the first with a grammar is the one the pattern is written in.
import { resolveLanguageName } from '../../grammars/language-names';
import { languages, languageSpec } from '../../grammars/languages';

/** The language id for `name`, or undefined when ccc parses no such language. */
export function grepLanguage(name: string): string | undefined {
  return resolveLanguageName(name.trim().replace(/^\./, ''))?.find((id) => languageSpec(id)?.grammar);
}

/** Every language a pattern can be written in, for the error that names them. */
export function grepLanguages(): string[] {
  return languages.filter((language) => language.grammar).map((language) => language.id);
}
