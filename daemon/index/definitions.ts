// Does a chunk define a name the query asks for, or only mention it? Read from the chunk's symbol (the chunker's label:
// `function res.redirect`, `class Foo > method bar`) and from its lines, since not every definition gets a symbol: JS
// functions assigned to properties (`res.contentType = res.type = function (…)`), `Object.defineProperty` getters and
// exported constants are often labelled as text. Patterns are per syntax family, not per language: they only need to
// tell a definition line from a use, and a use never has `name = function`, `def name`, `fn name` or `name(…) {`.

export interface DefinitionMatcher {
  /**
   * True when the chunk's symbol or one of its lines defines one of the names. `content` may be a function giving the
   * text: it is called only when the symbol does not settle it (a search reads the text from disk).
   */
  defines(symbol: string, content: string | (() => string)): boolean;
  /** 0-based index of the first line of `content` that defines one of the names, or -1. */
  definitionLine(content: string): number;
}

function escape(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The line patterns that define `name` (last part of a dotted name, or the dotted name itself). */
function definitionPattern(names: string[]): RegExp {
  const n = `(?:${names.map(escape).join('|')})`;
  // A method's name is never dotted, and its parameter list holds no call: `send(message, function (err) {` is a use.
  const bare = `(?:${names.filter((name) => /^[\w$]+$/.test(name)).map(escape).join('|') || '(?!)'})`;
  const qualified = `(?:[\\w$]+\\.)*${n}`;
  const patterns = [
    // res.redirect = function, exports.x = async (a) =>, x: function, res.contentType = res.type = function, Foo.prototype.x = function
    `(?:^|[^\\w$.])${qualified}\\s*[:=]\\s*(?:(?:[\\w$]+\\.)*[\\w$]+\\s*=\\s*)*(?:async\\s+)?(?:function\\b|\\([^)]*\\)\\s*(?::[^=]+)?=>|[\\w$]+\\s*=>|class\\b)`,
    // def x, function x, class X, fn x, func (r *T) X, struct/enum/trait/interface/type X, defp x, sub x
    `\\b(?:function\\*?|def|defp|defmacro|class|fn|func|struct|interface|enum|trait|type|module|object|record|protocol|sub|proc|macro_rules!)\\s+(?:\\([^)]*\\)\\s*)?${qualified}\\b`,
    // A module-level `const X =` / `export let x:` / `val x =` (not indented: locals in a test are uses; not a require or import)
    `^(?:export\\s+)?(?:const|let|var|val)\\s+${n}\\s*[=:](?!\\s*(?:require\\(|await\\s+import\\())`,
    // a method in a class body: `  async redirect(url) {`, `public void redirect(String url) {` (`pub fn` is above)
    `^[ \\t]*(?:[\\w<>\\[\\],]+[ \\t]+)*${bare}[ \\t]*(?:<[^>]*>)?[ \\t]*\\([^()]*\\)\\s*(?::\\s*[^{;=]+|throws [\\w., ]+)?\\s*\\{`,
    // Object.defineProperty(req, 'x', …), defineGetter(req, 'x', …)
    `define(?:Property|Getter)\\s*\\([^,]+,\\s*['"]${n}['"]`,
  ];
  return new RegExp(patterns.join('|'), 'im');
}

/** Last names in a symbol path: `function app.disabled, function app.enable` → `app.disabled`, `disabled`, … */
function symbolNames(symbol: string): string[] {
  const names: string[] = [];
  for (const part of symbol.split(/>|,/)) {
    const words = part.trim().split(/\s+/);
    const last = words[words.length - 1];
    if (!last) continue;
    names.push(last.toLowerCase());
    const dotted = last.split(/\.|::/);
    if (dotted.length > 1) names.push(dotted[dotted.length - 1].toLowerCase());
  }
  return names;
}

const NEVER: DefinitionMatcher = { defines: () => false, definitionLine: () => -1 };

export function definitionMatcher(names: string[]): DefinitionMatcher {
  if (names.length === 0) return NEVER;
  const wanted = new Set(names.map((name) => name.toLowerCase()));
  const pattern = definitionPattern(names);
  const linePattern = new RegExp(pattern.source, 'i');
  // Every pattern holds a name as written: a text without one cannot define it, and looking is far cheaper than the pattern.
  const lastParts = [...new Set(names.map((name) => name.split('.').pop()!.toLowerCase()))];
  return {
    defines(symbol, content) {
      if (symbolNames(symbol).some((name) => wanted.has(name))) return true;
      const text = typeof content === 'string' ? content : content();
      const lower = text.toLowerCase();
      return lastParts.some((name) => lower.includes(name)) && pattern.test(text);
    },
    definitionLine(content) {
      const lines = content.split('\n');
      return lines.findIndex((line) => linePattern.test(line));
    },
  };
}
