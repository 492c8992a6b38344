// The in-memory search engine of one project, built from its store: BM25 over content, symbol and path (code-aware tokens,
// `keyword-index.ts`), Orama for the language / folder / extension filters; the vectors live in one Float32Array that
// is scanned directly. Orama's own vector search keeps two number[] copies of every vector and scans them in ~JS
// objects: a contiguous Float32Array halves the memory and is several times faster at 100k × 100-d (see the bench).
import { create, insert, remove, type AnyOrama } from '@orama/orama';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { DEFAULT_MAX_PER_FILE, FILE_KINDS, type FileHit, type FileKind, type SearchHit, type SearchMode } from '../protocol';
import { codeTokens } from './code-tokenizer';
import { definitionMatcher, type DefinitionMatcher } from './definitions';
import { fileKind } from './file-kind';
import { BUILTIN_FUSION, FUSION_CANDIDATES, fuse, normaliseKeyword, type FusionWeights, type Scored } from './fusion';
import { grownArray } from './grown-array';
import { KeywordIndex, type KeywordHits, type TextFields } from './keyword-index';
import { lineTermWeights, matchedWords, matchWindow } from './match-window';
import { ancestorFolders, compileGlob, extensionOf, InvalidParamsError, passesGlobs, type CompiledGlob } from './path-globs';
import { planQuery, type QueryPlan } from './query-plan';
import { kindPrior, longQueryFloor, passesFloor, RANKING } from './ranking';
import type { StoredChunk } from './store';
import { TopK } from './top-k';

export interface SearchQuery {
  text: string;
  /** Unit vector of the query; null when only keyword search is possible. */
  vector: Float32Array | null;
  mode: SearchMode;
  limit: number;
  offset: number;
  languages?: string[];
  /** Globs relative to the root; a chunk matches when its path matches a positive glob (or there is none) and no `!glob`. */
  paths?: string[];
  kinds?: FileKind[];
  /** At most this many hits per file, 0 = no cap; undefined: the soft default (a file's further hits come after every other file's). */
  maxPerFile?: number;
  /** Keep hits under the no-match floor (after the others). */
  includeWeak?: boolean;
  /** Rank files instead of chunks. */
  files?: boolean;
  /** Drop chunks overlapping this range (find-similar: the query chunk itself). */
  exclude?: { path: string; startLine: number; endLine: number };
}

export interface SearchOutcome {
  hits: SearchHit[];
  /** With `files`: the files, best first (hits is then empty). */
  files?: FileHit[];
  /** True when no candidate passed the no-match floor. */
  noGoodMatch: boolean;
  /** Candidates under the floor left out, at most as many as the page could have shown. */
  weakHits: number;
}

/** A candidate with its evidence, after the priors. */
interface Judged {
  slot: number;
  chunk: StoredChunk;
  kind: FileKind;
  score: number;
  /** Share of the fused score that came from keywords. */
  keywordShare: number;
  definition: boolean;
  weak: boolean;
}

/** In a `files` search, a file's score is its best chunk's plus this share of each of its next two: breadth breaks ties. */
const FILE_MORE_SHARE = 0.1;

/** Orama holds only the filter fields: its own full-text index keeps no term frequencies and costs a radix tree per field. */
const schema = {
  language: 'enum',
  kind: 'enum',
  ext: 'enum',
  folders: 'enum[]',
} as const;

/** Longest stretch of inserts between yields to the event loop, so searches are answered while an index builds. */
const ADD_SLICE_MS = 10;
/** Filter sets kept for repeated queries (a panel re-running one filter while typing). */
const FILTER_CACHE_SIZE = 16;

/** Which chunks a search's filters let through: a mask by slot for keyword scoring, and the slots for the vector scan. */
interface Allowed {
  mask: Uint8Array;
  slots: Int32Array;
}

export class SearchIndex {
  /** Chunk per slot; a slot is also the Orama document id. Freed slots are reused. */
  private readonly slots: (StoredChunk | undefined)[] = [];
  private readonly freeSlots: number[] = [];
  private readonly slotsByFile = new Map<string, number[]>();
  /** Slots whose chunk is in Orama and the keyword index too; the others are still queued by a running `add`. */
  private inOrama: Uint8Array = new Uint8Array(1024);
  /** Orama internal id → slot. */
  private slotByInternal = new Int32Array(1024);
  private vectors: Float32Array;
  /** Index into FILE_KINDS per slot, from the chunk's path (`file-kind.ts`). */
  private kindOfSlot: Uint8Array = new Uint8Array(1024);
  private live = 0;
  private pending = 0;
  private readonly keyword = new KeywordIndex();
  /** Filter sets by filter key; emptied whenever the indexed chunks change. */
  private readonly allowedCache = new Map<string, Allowed>();

  private constructor(
    private readonly db: AnyOrama,
    private readonly dimension: number,
    private readonly fusion: FusionWeights,
  ) {
    this.vectors = new Float32Array(1024 * dimension);
  }

  /** `fusion`: how hybrid search weighs the two sides, which depends on the model (`fusionWeightsFor`). */
  static async create(dimension: number, fusion: FusionWeights = BUILTIN_FUSION): Promise<SearchIndex> {
    // The sorter is off: Orama's default sortable fields make every insert O(N).
    const db = create({ schema, sort: { enabled: false } }) as AnyOrama;
    return new SearchIndex(db, dimension, fusion);
  }

  /** Chunks in the index. */
  get count(): number {
    return this.live;
  }

  /** True while an `add` is still putting chunks into the keyword index: vector search already sees them, keyword search not yet. */
  get warming(): boolean {
    return this.pending > 0;
  }

  /**
   * Adds chunks. Their vectors are searchable at once; their text goes into Orama in batches, yielding between them,
   * so searches are answered (keyword side partial, see `warming`) while a large index builds.
   */
  async add(chunks: StoredChunk[]): Promise<void> {
    const placed = chunks.map((chunk) => this.place(chunk));
    this.pending += placed.length;
    this.allowedCache.clear();
    let done = 0;
    try {
      while (done < placed.length) {
        // Sliced by time, not count: an insert's cost varies with the text, and searches wait for every slice.
        const sliceEnd = performance.now() + ADD_SLICE_MS;
        const start = done;
        while (done < placed.length && performance.now() < sliceEnd) {
          this.insertText(placed[done], chunks[done]);
          done++;
        }
        this.pending -= done - start;
        this.allowedCache.clear();
        if (done < placed.length) await yieldToLoop();
      }
    } finally {
      this.pending -= placed.length - done;
    }
  }

  /** Removes every chunk of the file. */
  removeFile(path: string): void {
    const slots = this.slotsByFile.get(path);
    if (!slots) return;
    for (const slot of slots) {
      const chunk = this.slots[slot];
      if (this.inOrama[slot] && chunk) {
        remove(this.db, String(slot));
        this.keyword.remove(slot, textOf(chunk));
      }
      this.inOrama[slot] = 0;
      this.slots[slot] = undefined;
      this.freeSlots.push(slot);
      this.live--;
    }
    this.slotsByFile.delete(path);
    this.allowedCache.clear();
  }

  /** Throws InvalidParamsError for a bad glob or a semantic search without a vector. */
  search(query: SearchQuery): SearchOutcome {
    if (query.mode === 'semantic' && !query.vector) throw new InvalidParamsError('semantic search needs a query vector');
    const plan = planQuery(query.text);
    const globs = (query.paths ?? []).map(compileGlob);
    const allowed = this.allowedDocs(query.languages ?? [], query.paths ?? [], query.kinds ?? []);
    const wanted = Math.max(FUSION_CANDIDATES, (query.offset + query.limit) * 2);
    const noKeyword = query.mode === 'semantic' || (allowed && allowed.slots.length === 0) || plan.terms.length === 0;
    const keyword: KeywordHits = noKeyword ? { hits: [], total: 0 } : this.keyword.search(plan.terms, wanted, allowed?.mask);
    const vector = query.mode === 'keyword' || !query.vector ? [] : this.vectorSearch(query.vector, allowed, wanted);
    const cosines = query.vector && query.mode !== 'keyword' ? this.withMissingCosines(vector, keyword.hits, query.vector) : [];
    let ranked: Scored[];
    if (query.mode === 'semantic') ranked = vector;
    else if (query.mode === 'keyword' || !query.vector) ranked = normaliseKeyword(keyword.hits);
    else ranked = fuse(keyword.hits, cosines, this.fusion);
    const judged = this.judge(ranked, query, plan, keyword, cosines, askedKinds(plan, globs, query.kinds ?? []));
    return this.page(judged, query, plan);
  }

  /** Evidence, priors and the floor for every candidate, best first. */
  private judge(
    ranked: Scored[], query: SearchQuery, plan: QueryPlan, keyword: KeywordHits, cosines: Scored[], asked: Set<FileKind>,
  ): Judged[] {
    const matched = new Map(keyword.hits.map((hit) => [hit.slot, hit.matched]));
    const keywordNorm = new Map(normaliseKeyword(keyword.hits).map((hit) => [hit.slot, hit.score]));
    const cosine = new Map(cosines.map((hit) => [hit.slot, hit.score]));
    const matcher = definitionMatcher(plan.names);
    const { exclude } = query;
    const longFloor = plan.long ? longQueryFloor(this.keyword.rarestIdf()) : null;
    const judged: Judged[] = [];
    for (const { slot, score } of ranked) {
      const chunk = this.slots[slot];
      if (!chunk) continue;
      if (exclude && chunk.path === exclude.path && chunk.startLine <= exclude.endLine && chunk.endLine >= exclude.startLine) continue;
      const kind = FILE_KINDS[this.kindOfSlot[slot]];
      const definition = plan.names.length > 0 && matcher.defines(chunk.symbol, chunk.content);
      // Mentions are what a search for tests or docs of a name wants ("tests for res.redirect"): no mention prior there.
      const mentionOnly = plan.names.length > 0 && !definition && !(kind !== 'code' && asked.has(kind));
      const prior = kindPrior(kind, asked) * (mentionOnly ? RANKING.mentionPrior : 1);
      const evidence = { matched: matched.get(slot) ?? 0, total: keyword.total, cosine: cosine.get(slot) ?? null };
      const weak = !passesFloor(query.mode, evidence, longFloor, this.fusion.minCosine);
      const keywordShare = this.keywordShare(query.mode, keywordNorm.get(slot) ?? 0, evidence.cosine);
      judged.push({ slot, chunk, kind, score: score * prior, keywordShare, definition, weak });
    }
    return judged.sort((a, b) => b.score - a.score);
  }

  /** How much of a hit's fused score came from keywords (the rest from meaning). */
  private keywordShare(mode: SearchMode, keywordScore: number, cosine: number | null): number {
    if (mode === 'keyword') return 1;
    if (mode === 'semantic') return 0;
    const k = this.fusion.keyword * keywordScore;
    const v = this.fusion.vector * Math.max(0, cosine ?? 0);
    return k + v > 0 ? k / (k + v) : 0;
  }

  /** Gives the chunk a slot and its vector a place in the scan; its text is indexed by `insertText`. */
  private place(chunk: StoredChunk): number {
    if (chunk.vector.length !== this.dimension) {
      throw new Error(`chunk ${chunk.path}:${chunk.startLine} has a ${chunk.vector.length}-d vector, the index expects ${this.dimension}`);
    }
    const slot = this.freeSlots.pop() ?? this.slots.length;
    if ((slot + 1) * this.dimension > this.vectors.length) {
      const bigger = new Float32Array(this.vectors.length * 2);
      bigger.set(this.vectors);
      this.vectors = bigger;
    }
    this.vectors.set(chunk.vector, slot * this.dimension);
    this.slots[slot] = chunk;
    if (slot >= this.kindOfSlot.length) this.kindOfSlot = grownArray(this.kindOfSlot, slot);
    this.kindOfSlot[slot] = FILE_KINDS.indexOf(fileKind(chunk.path));
    if (slot >= this.inOrama.length) this.inOrama = grownArray(this.inOrama, slot);
    this.inOrama[slot] = 0;
    const fileSlots = this.slotsByFile.get(chunk.path);
    if (fileSlots) fileSlots.push(slot);
    else this.slotsByFile.set(chunk.path, [slot]);
    this.live++;
    return slot;
  }

  private insertText(slot: number, chunk: StoredChunk): void {
    // The chunk may have been removed (its file re-indexed) while it waited in the queue.
    if (this.slots[slot] !== chunk) return;
    const id = String(slot);
    this.keyword.add(slot, textOf(chunk), Number.parseInt(chunk.id, 36));
    insert(this.db, {
      id,
      language: chunk.language,
      kind: FILE_KINDS[this.kindOfSlot[slot]],
      ext: extensionOf(chunk.path),
      folders: ancestorFolders(chunk.path),
    });
    const internalId = this.db.internalDocumentIDStore.idToInternalId.get(id) as number;
    if (internalId >= this.slotByInternal.length) this.slotByInternal = grownArray(this.slotByInternal, internalId);
    this.inOrama[slot] = 1;
    this.slotByInternal[internalId] = slot;
  }

  /** The chunks the filters let through, or undefined when there are no filters. Cached by filter until the chunks change. */
  private allowedDocs(languages: string[], paths: string[], kinds: FileKind[]): Allowed | undefined {
    const globs: CompiledGlob[] = paths.map(compileGlob);
    if (languages.length === 0 && globs.length === 0 && kinds.length === 0) return undefined;
    const key = JSON.stringify([languages, paths, kinds]);
    let allowed = this.allowedCache.get(key);
    if (!allowed) {
      allowed = this.computeAllowed(languages, globs, kinds);
      if (this.allowedCache.size >= FILTER_CACHE_SIZE) this.allowedCache.delete(this.allowedCache.keys().next().value!);
      this.allowedCache.set(key, allowed);
    }
    return allowed;
  }

  private computeAllowed(languages: string[], globs: CompiledGlob[], kinds: FileKind[]): Allowed {
    const clauses: object[] = [];
    if (languages.length > 0) clauses.push({ language: { in: languages } });
    if (kinds.length > 0) clauses.push({ kind: { in: kinds } });
    // Only positive globs narrow the pre-filter; a `!glob` removes files in the exact check below.
    const positive = globs.filter((g) => !g.negated);
    if (positive.length > 0 && positive.every((g) => g.folder !== null || g.ext !== null)) {
      clauses.push({
        or: positive.map((g) => ({
          ...(g.folder !== null ? { folders: { containsAll: [g.folder] } } : {}),
          ...(g.ext !== null ? { ext: { eq: g.ext } } : {}),
        })),
      });
    }
    const candidates: number[] = [];
    if (clauses.length > 0) {
      const ids = this.db.index.searchByWhereClause(this.db.data.index, this.db.tokenizer, { and: clauses }, undefined) as Set<number>;
      for (const id of ids) candidates.push(this.slotByInternal[id]);
    } else {
      for (let slot = 0; slot < this.slots.length; slot++) if (this.inOrama[slot]) candidates.push(slot);
    }
    const exactGlobs = globs.every((g) => !g.negated && g.exact);
    const verdicts = new Map<string, boolean>();
    const slots: number[] = [];
    for (const slot of candidates) {
      const path = this.slots[slot]?.path;
      if (path === undefined) continue;
      let ok = exactGlobs || verdicts.get(path);
      if (ok === undefined) verdicts.set(path, (ok = passesGlobs(globs, path)));
      if (ok) slots.push(slot);
    }
    slots.sort((a, b) => a - b);
    const mask = new Uint8Array(this.slots.length);
    for (const slot of slots) mask[slot] = 1;
    return { mask, slots: Int32Array.from(slots) };
  }

  private vectorSearch(query: Float32Array, allowed: Allowed | undefined, wanted: number): Scored[] {
    const q = normalised(query);
    const top = new TopK(wanted);
    if (allowed) {
      for (const slot of allowed.slots) {
        const score = this.dot(q, slot);
        if (score > top.floor) top.push(slot, score);
      }
    } else {
      for (let slot = 0; slot < this.slots.length; slot++) {
        if (this.slots[slot] === undefined) continue;
        const score = this.dot(q, slot);
        if (score > top.floor) top.push(slot, score);
      }
    }
    return top.sorted();
  }

  private dot(q: Float32Array, slot: number): number {
    const v = this.vectors;
    const n = q.length;
    let i = 0;
    let j = slot * this.dimension;
    let a = 0;
    let b = 0;
    let c = 0;
    let d = 0;
    for (; i + 3 < n; i += 4, j += 4) {
      a += q[i] * v[j];
      b += q[i + 1] * v[j + 1];
      c += q[i + 2] * v[j + 2];
      d += q[i + 3] * v[j + 3];
    }
    for (; i < n; i++, j++) a += q[i] * v[j];
    return a + b + c + d;
  }

  /** Keyword hits the vector top-k missed still have a cosine; fusing them with 0 would undervalue them. */
  private withMissingCosines(vector: Scored[], keyword: Scored[], query: Float32Array): Scored[] {
    const seen = new Set(vector.map((hit) => hit.slot));
    const q = normalised(query);
    const extra = keyword.filter((hit) => !seen.has(hit.slot)).map((hit) => ({ slot: hit.slot, score: this.dot(q, hit.slot) }));
    return [...vector, ...extra];
  }

  /** The floor, the per-file cap and the page; then each returned hit's match window and reason. */
  private page(judged: Judged[], query: SearchQuery, plan: QueryPlan): SearchOutcome {
    const strong = judged.filter((hit) => !hit.weak);
    const shown = query.includeWeak ? judged : strong;
    const end = query.offset + query.limit;
    const weakHits = query.includeWeak ? 0 : Math.min(judged.length - strong.length, end);
    const noGoodMatch = strong.length === 0;
    const weights = lineTermWeights(plan, (term) => this.keyword.idf(term));
    const matcher = definitionMatcher(plan.names);
    if (query.files) {
      const files = rankFiles(shown).slice(query.offset, end).map(({ file, best }) => {
        const { window } = matchWindow(best.chunk.startLine, best.chunk.content, best.chunk.symbol, weights, matcher);
        return { ...file, bestLine: window.bestLine };
      });
      return { hits: [], files, noGoodMatch, weakHits };
    }
    const capped = capPerFile(shown, query.maxPerFile, end);
    const hits = capped.slice(query.offset, end).map((hit) => toSearchHit(hit, plan, weights, matcher));
    return { hits, noGoodMatch, weakHits };
  }
}

/**
 * The kinds a search asks for, which then get no penalty: named in the query ("test for redirect"), filtered by kind, or
 * reached by a path glob (`test/**`, `*.md`).
 */
function askedKinds(plan: QueryPlan, globs: CompiledGlob[], kinds: FileKind[]): Set<FileKind> {
  const asked = new Set<FileKind>([...plan.askedKinds, ...kinds]);
  for (const glob of globs) {
    if (glob.negated) continue;
    const sample = glob.pattern.replace(/\*\*/g, 'x/x').replace(/[*?]/g, 'x').replace(/[{}[\]]/g, '');
    asked.add(fileKind(sample.endsWith('/') || !sample.includes('.') ? `${sample}/x.x` : sample));
  }
  return asked;
}

/**
 * At most `maxPerFile` hits of one file. Explicit N: the rest are dropped (0: no cap). Undefined: the first hits hold at
 * most DEFAULT_MAX_PER_FILE of a file, and its further hits follow every other file's, so a large limit still gets them.
 */
function capPerFile(hits: Judged[], maxPerFile: number | undefined, wanted: number): Judged[] {
  if (maxPerFile === 0) return hits.slice(0, wanted);
  const cap = maxPerFile ?? DEFAULT_MAX_PER_FILE;
  const perFile = new Map<string, number>();
  const first: Judged[] = [];
  const overflow: Judged[] = [];
  for (const hit of hits) {
    const n = perFile.get(hit.chunk.path) ?? 0;
    perFile.set(hit.chunk.path, n + 1);
    if (n < cap) first.push(hit);
    else if (maxPerFile === undefined) overflow.push(hit);
    if (first.length >= wanted) break;
  }
  return [...first, ...overflow].slice(0, wanted);
}

/** Files scored from their best chunks: the best, plus a small share of the next two; kept in [0, 1]. Best first. */
function rankFiles(hits: Judged[]): { file: FileHit; best: Judged }[] {
  const byFile = new Map<string, Judged[]>();
  for (const hit of hits) {
    const list = byFile.get(hit.chunk.path);
    if (list) list.push(hit);
    else byFile.set(hit.chunk.path, [hit]);
  }
  const files: { file: FileHit; best: Judged }[] = [];
  for (const [path, list] of byFile) {
    const [best, ...rest] = list;
    const more = rest.slice(0, 2).reduce((sum, hit) => sum + hit.score, 0);
    const score = (best.score + FILE_MORE_SHARE * more) / (1 + 2 * FILE_MORE_SHARE);
    files.push({
      file: {
        path, language: best.chunk.language, kind: best.kind, score, chunks: list.length, bestLine: best.chunk.startLine,
        symbol: best.chunk.symbol,
      },
      best,
    });
  }
  return files.sort((a, b) => b.file.score - a.file.score);
}

function toSearchHit(hit: Judged, plan: QueryPlan, weights: Map<string, number>, matcher: DefinitionMatcher): SearchHit {
  const { chunk } = hit;
  const { window, found } = matchWindow(chunk.startLine, chunk.content, chunk.symbol, weights, matcher);
  const chunkTerms = new Set([...found, ...codeTokens(`${chunk.symbol}\n${chunk.path}`)]);
  const keyword = Math.round(hit.keywordShare * 1000) / 1000;
  return {
    path: chunk.path, language: chunk.language, startLine: chunk.startLine, endLine: chunk.endLine, symbol: chunk.symbol,
    kind: hit.kind, score: Math.max(0, Math.min(1, hit.score)), content: chunk.content,
    ...window,
    why: { terms: matchedWords(plan, chunkTerms), keyword, meaning: Math.round((1 - keyword) * 1000) / 1000, definition: hit.definition },
  };
}

function textOf(chunk: StoredChunk): TextFields {
  return { content: chunk.content, symbol: chunk.symbol, path: chunk.path };
}

function normalised(vector: Float32Array): Float32Array {
  let norm = 0;
  for (let i = 0; i < vector.length; i++) norm += vector[i] * vector[i];
  norm = Math.sqrt(norm);
  if (norm === 0 || Math.abs(norm - 1) < 1e-6) return vector;
  return vector.map((x) => x / norm);
}
