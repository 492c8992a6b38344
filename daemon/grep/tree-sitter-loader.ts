// Starts web-tree-sitter and loads grammars from the folder that holds tree-sitter.wasm and tree-sitter-<grammar>.wasm
// (dist/grammars/). One Language per grammar per thread: loading one compiles its WASM, which costs tens of milliseconds.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Language, Parser } from 'web-tree-sitter';

export class TreeSitterLoader {
  private started: Promise<void> | undefined;
  private readonly languages = new Map<string, Promise<Language>>();

  constructor(private readonly grammarsDir: string) {}

  /** A parser; the runtime starts on the first call. */
  async parser(): Promise<Parser> {
    this.started ??= Parser.init({ locateFile: (name: string) => join(this.grammarsDir, name) } as never);
    await this.started;
    return new Parser();
  }

  language(grammar: string): Promise<Language> {
    let loaded = this.languages.get(grammar);
    if (!loaded) {
      loaded = Language.load(readFileSync(join(this.grammarsDir, `tree-sitter-${grammar}.wasm`)));
      this.languages.set(grammar, loaded);
    }
    return loaded;
  }
}
