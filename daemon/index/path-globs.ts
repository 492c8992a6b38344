// Turns the path globs of a search filter into a cheap pre-filter the search index can apply inside its query
// (an ancestor folder and/or a file extension) plus an exact check for the globs the pre-filter cannot express.
// A glob starting with `!` excludes (rg's and VS Code's habit): it never narrows the pre-filter, it only removes files
// in the exact check, so `!test/**` alone means "every file outside test/".
import picomatch from 'picomatch';
import { ErrorCodes } from '../protocol';

/** A search parameter the user got wrong; carries the JSON-RPC code the daemon answers with. */
export class InvalidParamsError extends Error {
  readonly code = ErrorCodes.InvalidParams;
}

export interface CompiledGlob {
  /** The glob as given, without its `!` and leading `./`. */
  pattern: string;
  /** Only files under this folder can match (root-relative, no trailing slash), or null. */
  folder: string | null;
  /** Only files with this extension (`.py`) can match, or null. */
  ext: string | null;
  /** True when folder and ext say it all and `matches` need not run. */
  exact: boolean;
  /** True for a `!glob`: `matches` then tells the files it excludes, and folder/ext are null. */
  negated: boolean;
  matches(path: string): boolean;
}

/** True when a path passes a search's globs: it matches a positive glob (or there is none) and no negated one. */
export function passesGlobs(globs: CompiledGlob[], path: string): boolean {
  let positive = false;
  let anyPositive = false;
  for (const glob of globs) {
    if (glob.negated) {
      if (glob.matches(path)) return false;
    } else {
      anyPositive = true;
      positive ||= glob.matches(path);
    }
  }
  return positive || !anyPositive;
}

const SINGLE_EXT = /^\*(\.[A-Za-z0-9_+-]+)$/;

/** The extension of a root-relative path's file name, with its dot (`''` for none). */
export function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot) : '';
}

/** The ancestor folders of a root-relative path: `a/b/c.ts` → `['a', 'a/b']`. */
export function ancestorFolders(path: string): string[] {
  const parts = path.split('/');
  const folders: string[] = [];
  for (let i = 1; i < parts.length; i++) folders.push(parts.slice(0, i).join('/'));
  return folders;
}

function balanced(glob: string): boolean {
  const pairs: Record<string, string> = { ']': '[', '}': '{', ')': '(' };
  const stack: string[] = [];
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\') i++;
    else if (c === '[' || c === '{' || c === '(') stack.push(c);
    else if (c in pairs && stack.pop() !== pairs[c]) return false;
  }
  return stack.length === 0;
}

function invalid(glob: string, why: string): InvalidParamsError {
  return new InvalidParamsError(`invalid path filter "${glob}": ${why}`);
}

/** Compiles one glob relative to the project root (`src/**`, `*.py`, `daemon/index/*.ts`, or a plain file or folder path). */
export function compileGlob(raw: string): CompiledGlob {
  const trimmed = raw.trim();
  if (trimmed.startsWith('!')) {
    const positive = compilePositive(raw, trimmed.slice(1));
    return { ...positive, folder: null, ext: null, exact: false, negated: true };
  }
  return compilePositive(raw, trimmed);
}

function compilePositive(raw: string, text: string): CompiledGlob {
  const glob = text.trim().replace(/^\.\//, '');
  if (!glob) throw invalid(raw, 'it is empty');
  if (glob.startsWith('/') || /^[A-Za-z]:/.test(glob)) throw invalid(raw, 'use a path relative to the project root');
  if (glob.split('/').includes('..')) throw invalid(raw, '".." is not allowed');
  if (!balanced(glob)) throw invalid(raw, 'unbalanced brackets or braces');
  const scan = picomatch.scan(glob);
  if (!scan.isGlob) {
    // A plain path names a file or everything under a folder.
    const folder = glob.replace(/\/+$/, '');
    const parent = folder.includes('/') ? folder.slice(0, folder.lastIndexOf('/')) : null;
    return { pattern: glob, folder: parent, ext: null, exact: false, negated: false, matches: (p) => p === folder || p.startsWith(`${folder}/`) };
  }
  let matcher: (path: string) => boolean;
  try {
    matcher = picomatch(glob, { basename: !glob.includes('/'), dot: true });
  } catch (error) {
    throw invalid(raw, (error as Error).message.split('\n')[0]);
  }
  const folder = scan.base ? scan.base.replace(/\/+$/, '') : null;
  const last = scan.glob.slice(scan.glob.lastIndexOf('/') + 1);
  const ext = SINGLE_EXT.exec(last)?.[1] ?? null;
  const exact =
    (folder !== null && scan.glob === '**') ||
    (ext !== null && (scan.glob === `**/${last}` || (folder === null && scan.glob === last)));
  return { pattern: glob, folder, ext, exact, negated: false, matches: matcher };
}
