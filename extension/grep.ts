// Structural search (`ccc grep`) over every workspace folder for the panel: matches stream in as `$/progress` and are
// shown as they arrive, each as a panel hit whose lines are the match (captured texts highlighted).
import { randomBytes } from 'node:crypto';
import { ProgressType } from 'vscode-languageclient/node';
import { GrepRequest, type GrepMatch, type GrepProgress } from '../daemon/protocol';
import type { GrepRequestMessage, PanelHit } from '../webview/messages';
import type { Ctx } from './ctx';
import type { Hits } from './search';

/** More rows than this make the panel slow to draw and nobody reads them: the rest are counted. */
const MAX_SHOWN = 200;
/** A captured text longer than this is not worth highlighting. */
const MAX_TERM = 40;

const progressType = new ProgressType<GrepProgress>();

export async function grepFolders(ctx: Ctx, message: GrepRequestMessage, onMatches: (sofar: Hits) => void): Promise<Hits> {
  const client = await ctx.connect();
  const started = Date.now();
  const hits: PanelHit[] = [];
  let total = 0;
  const sofar = (): Hits => ({
    hits: hits.slice(), tookMs: Date.now() - started, noGoodMatch: false, weakHits: 0, indexing: false,
    ...(total > hits.length ? { queryNote: `${total} matches; the first ${hits.length} are shown. Narrow the paths or the pattern.` } : {}),
  });
  for (const root of ctx.roots()) {
    const token = `ccc-grep-${randomBytes(6).toString('hex')}`;
    const listening = client.onProgress(progressType, token, ({ matches }) => {
      if (matches.length === 0) return;
      total += matches.length;
      for (const match of matches.slice(0, Math.max(0, MAX_SHOWN - hits.length))) hits.push(asHit(ctx, root, match));
      onMatches(sofar());
    });
    try {
      await client.sendRequest(GrepRequest, { root, pattern: message.pattern, language: message.language, paths: message.paths, workDoneToken: token });
    } finally {
      listening.dispose();
    }
  }
  return sofar();
}

function asHit(ctx: Ctx, root: string, match: GrepMatch): PanelHit {
  const captures = Object.entries(match.captures);
  return {
    root, folder: ctx.folderName(root),
    path: match.path, language: match.language, kind: match.kind, startLine: match.startLine, endLine: match.endLine,
    symbol: captures.map(([name, text]) => `$${name} = ${text.length > MAX_TERM ? `${text.slice(0, MAX_TERM)}…` : text}`).join(', '),
    score: 1, content: match.lines, bestLine: match.startLine, matchStart: match.startLine, matchEnd: match.endLine,
    why: { terms: captures.map(([, text]) => text).filter((text) => text.length <= MAX_TERM), keyword: 0, meaning: 0, definition: false },
  };
}
