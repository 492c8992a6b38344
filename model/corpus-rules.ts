// The corpus rules, enforced here rather than trusted to the source list: permissive licences only, never a held-out
// project (../shared/eval/held-out.txt), and never a function of the CoSQA evaluation corpus.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const SHARED_EVAL_DIR = join(__dirname, '../../shared/eval');

/** SPDX-ish names Debian and npm use for permissive licences (`Go`: Go's BSD-3-Clause-style licence). */
const PERMISSIVE = /^(MIT|Expat|X11|BSD|0BSD|Apache|PSF|Python|ISC|Zlib|public-domain|ZPL|Zope|HPND|CC0|Unlicense|Matplotlib|WTFPL|BSL-1\.0|Boost|Go)\b/i;
const COPYLEFT = /GPL|MPL|EPL|CDDL|CC-BY-SA|copyleft/i;

/** `A or B`: one permissive alternative suffices; `A and B`: every part must be permissive. */
export function isPermissive(license: string): boolean {
  const alternatives = license.split(/\s+or\s+|\s*\|\s*/i);
  return alternatives.some((alternative) =>
    alternative.split(/\s+and\s+|,\s*/i).every((part) => PERMISSIVE.test(part.trim()) && !COPYLEFT.test(part)));
}

/**
 * The licence of a Debian package's upstream files, from /usr/share/doc/<package>/copyright: the `Files: *` stanza of a
 * machine-readable file, else the licence declared for it in `declared` (read from the same file by a person).
 */
export function debianLicense(copyright: string, packageName: string, declared: Record<string, string>): string {
  if (/^Format:/m.test(copyright)) {
    for (const stanza of copyright.split(/\n\s*\n/)) {
      const files = /^Files:[ \t]*(.*)$/m.exec(stanza)?.[1].trim();
      const license = /^License:[ \t]*(.*)$/m.exec(stanza)?.[1].trim();
      // A licence whose first line is prose rather than a short name is read by hand (below).
      if (files === '*') {
        if (license) return license;
        break;
      }
    }
  }
  const license = declared[packageName];
  if (!license) throw new Error(`${packageName}: its copyright file has no machine-readable "Files: *" licence; read it and add the licence to DECLARED_LICENSES`);
  return license;
}

/** Name patterns of held-out projects and their packagings: `flask`, `python3-flask`, `sphinx*`, `librust-grep-*`. */
export function heldOutPatterns(text: string): RegExp[] {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.trim()) continue;
    for (const word of line.split(/[\s,()]+/)) {
      if (/^[a-z0-9_.*-]+$/.test(word) && !['npm', 'the', 'crates', 'vendored'].includes(word)) names.add(word);
    }
  }
  return [...names].map((name) => new RegExp(`^${name.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i'));
}

export class CorpusRules {
  private readonly heldOut: RegExp[];
  /** Whitespace-free text of every CoSQA function, with and without its docstring. */
  private readonly evaluationCode = new Set<string>();

  constructor(evalDir = SHARED_EVAL_DIR) {
    this.heldOut = heldOutPatterns(readFileSync(join(evalDir, 'held-out.txt'), 'utf8'));
  }

  /** Records the evaluation's functions; `withoutDoc` is each one as the extractor strips it. */
  addEvaluationCode(original: string, withoutDoc?: string): void {
    this.evaluationCode.add(squeeze(original));
    if (withoutDoc !== undefined) this.evaluationCode.add(squeeze(withoutDoc));
  }

  get evaluationFunctions(): number {
    return this.evaluationCode.size;
  }

  isHeldOutName(name: string): boolean {
    return this.heldOut.some((pattern) => pattern.test(name));
  }

  /** A file inside a held-out project's folder (its own package, or a copy vendored in another). */
  isHeldOutPath(path: string): boolean {
    return path.split('/').some((segment) => this.isHeldOutName(segment.replace(/\.[^.]*$/, '')));
  }

  isEvaluationCode(code: string): boolean {
    return this.evaluationCode.has(squeeze(code));
  }
}

function squeeze(text: string): string {
  return text.replace(/\s+/g, '');
}
