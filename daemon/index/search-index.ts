// The in-memory search engine of one project, built from its store: BM25 over content, symbol and path (code-aware tokens,
// `keyword-index.ts`), Orama for the language / folder / extension filters; the vectors live in one Float32Array that
// is scanned directly. Orama's own vector search keeps two number[] copies of every vector and scans them in ~JS
// objects: a contiguous Float32Array halves the memory and is several times faster at 100k × 100-d (see the bench).
import { create, insert, remove, type AnyOrama } from '@orama/orama';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { SearchHit, SearchMode } from '../protocol';
import { BUILTIN_FUSION, FUSION_CANDIDATES, fuse, normaliseKeyword, type FusionWeights, type Scored } from './fusion';
import { grownArray } from './grown-array';
import { KeywordIndex, type TextFields } from './keyword-index';
import { ancestorFolders, compileGlob, extensionOf, InvalidParamsError, type CompiledGlob } from './path-globs';
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
  /** Globs relative to the root; a chunk matches when its path matches any. */
  paths?: string[];
  /** At most this many hits per file; 0 = no cap. */
  maxPerFile: number;
  /** Drop chunks overlapping this range (find-similar: the query chunk itself). */
  exclude?: { path: string; startLine: number; endLine: number };
}

/** Orama holds only the filter fields: its own full-text index keeps no term frequencies and costs a radix tree per field. */
const schema = {
  language: 'enum',
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
  search(query: SearchQuery): SearchHit[] {
    if (query.mode === 'semantic' && !query.vector) throw new InvalidParamsError('semantic search needs a query vector');
    const allowed = this.allowedDocs(query.languages ?? [], query.paths ?? []);
    const wanted = Math.max(FUSION_CANDIDATES, (query.offset + query.limit) * 2);
    const keyword = query.mode === 'semantic' || (allowed && allowed.slots.length === 0) ? [] : this.keyword.search(query.text, wanted, allowed?.mask);
    const vector = query.mode === 'keyword' || !query.vector ? [] : this.vectorSearch(query.vector, allowed, wanted);
    let ranked: Scored[];
    if (query.mode === 'semantic') ranked = vector;
    else if (query.mode === 'keyword' || !query.vector) ranked = normaliseKeyword(keyword);
    else ranked = fuse(keyword, this.withMissingCosines(vector, keyword, query.vector), this.fusion);
    return this.page(ranked, query);
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
    this.keyword.add(slot, textOf(chunk));
    insert(this.db, {
      id,
      language: chunk.language,
      ext: extensionOf(chunk.path),
      folders: ancestorFolders(chunk.path),
    });
    const internalId = this.db.internalDocumentIDStore.idToInternalId.get(id) as number;
    if (internalId >= this.slotByInternal.length) this.slotByInternal = grownArray(this.slotByInternal, internalId);
    this.inOrama[slot] = 1;
    this.slotByInternal[internalId] = slot;
  }

  /** The chunks the filters let through, or undefined when there are no filters. Cached by filter until the chunks change. */
  private allowedDocs(languages: string[], paths: string[]): Allowed | undefined {
    const globs: CompiledGlob[] = paths.map(compileGlob);
    if (languages.length === 0 && globs.length === 0) return undefined;
    const key = JSON.stringify([languages, paths]);
    let allowed = this.allowedCache.get(key);
    if (!allowed) {
      allowed = this.computeAllowed(languages, globs);
      if (this.allowedCache.size >= FILTER_CACHE_SIZE) this.allowedCache.delete(this.allowedCache.keys().next().value!);
      this.allowedCache.set(key, allowed);
    }
    return allowed;
  }

  private computeAllowed(languages: string[], globs: CompiledGlob[]): Allowed {
    const clauses: object[] = [];
    if (languages.length > 0) clauses.push({ language: { in: languages } });
    if (globs.length > 0 && globs.every((g) => g.folder !== null || g.ext !== null)) {
      clauses.push({
        or: globs.map((g) => ({
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
    const exactGlobs = globs.length === 0 || globs.every((g) => g.exact);
    const verdicts = new Map<string, boolean>();
    const slots: number[] = [];
    for (const slot of candidates) {
      const path = this.slots[slot]?.path;
      if (path === undefined) continue;
      let ok = exactGlobs || verdicts.get(path);
      if (ok === undefined) verdicts.set(path, (ok = globs.some((g) => g.matches(path))));
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

  private page(ranked: Scored[], query: SearchQuery): SearchHit[] {
    const perFile = new Map<string, number>();
    const hits: SearchHit[] = [];
    const { exclude } = query;
    for (const { slot, score } of ranked) {
      const chunk = this.slots[slot];
      if (!chunk) continue;
      if (exclude && chunk.path === exclude.path && chunk.startLine <= exclude.endLine && chunk.endLine >= exclude.startLine) continue;
      const n = perFile.get(chunk.path) ?? 0;
      if (query.maxPerFile > 0 && n >= query.maxPerFile) continue;
      perFile.set(chunk.path, n + 1);
      hits.push({
        path: chunk.path, language: chunk.language, startLine: chunk.startLine, endLine: chunk.endLine, symbol: chunk.symbol,
        score: Math.max(0, Math.min(1, score)), content: chunk.content,
        // Placeholders until ranking reasons land (issue 10).
        kind: 'code', bestLine: chunk.startLine, matchStart: chunk.startLine, matchEnd: Math.min(chunk.endLine, chunk.startLine + 4),
        why: { terms: [], keyword: 0, meaning: 0, definition: false },
      });
      if (hits.length >= query.offset + query.limit) break;
    }
    return hits.slice(query.offset);
  }
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
