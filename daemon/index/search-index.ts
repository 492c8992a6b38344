// The in-memory search engine of one project, built from its store: Orama for BM25 over content, symbol and path
// (code-aware tokens) and for the language / folder / extension filters; the vectors live in one Float32Array that
// is scanned directly. Orama's own vector search keeps two number[] copies of every vector and scans them in ~JS
// objects: a contiguous Float32Array halves the memory and is several times faster at 100k × 100-d (see the bench).
import { components, count, create, insert, remove, type AnyOrama } from '@orama/orama';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { SearchHit, SearchMode } from '../protocol';
import { codeTokens, createCodeTokenizer } from './code-tokenizer';
import { FUSION, fuse, normaliseKeyword, type Scored } from './fusion';
import { ancestorFolders, compileGlob, extensionOf, InvalidParamsError, type CompiledGlob } from './path-globs';
import type { StoredChunk } from './store';

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

const schema = {
  content: 'string',
  symbol: 'string',
  path: 'string',
  language: 'enum',
  ext: 'enum',
  folders: 'enum[]',
} as const;

const TEXT_FIELDS = ['content', 'symbol', 'path'] as const;
/** A query word found in a chunk's symbol or path says more than one in its body. */
const BOOST = { symbol: 2, path: 1.5, content: 1 };
const BM25 = { k: 1.2, b: 0.75, d: 0.5 };
/** Chunks inserted between yields to the event loop while building. */
const ADD_BATCH = 500;

/** Orama's index component, minus its quadratic term-frequency count (see insertTokenScoreParameters). */
function createIndexComponent() {
  const base = components.index.createIndex();
  return {
    ...base,
    // The code tokenizer yields each token once, so its frequency is 1/length; Orama recounts it over all tokens per token.
    insertTokenScoreParameters(index: components.index.Index, prop: string, id: string | number, tokens: string[], token: string) {
      const internalId = components.internalDocumentIDStore.getInternalDocumentId(index.sharedInternalDocumentStore, id);
      index.frequencies[prop][internalId]![token] = 1 / tokens.length;
      const occurrences = index.tokenOccurrences[prop][token];
      index.tokenOccurrences[prop][token] = (typeof occurrences === 'number' ? occurrences : 0) + 1;
    },
  };
}

/** Keeps the `size` best scores seen (a min-heap on score). */
class TopK {
  readonly slots: Int32Array;
  readonly scores: Float64Array;
  length = 0;

  constructor(private readonly size: number) {
    this.slots = new Int32Array(size);
    this.scores = new Float64Array(size);
  }

  get floor(): number {
    return this.length < this.size ? -Infinity : this.scores[0];
  }

  push(slot: number, score: number): void {
    if (this.length < this.size) {
      let i = this.length++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (this.scores[parent] <= score) break;
        this.scores[i] = this.scores[parent];
        this.slots[i] = this.slots[parent];
        i = parent;
      }
      this.scores[i] = score;
      this.slots[i] = slot;
      return;
    }
    if (score <= this.scores[0]) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= this.length) break;
      const child = left + 1 < this.length && this.scores[left + 1] < this.scores[left] ? left + 1 : left;
      if (this.scores[child] >= score) break;
      this.scores[i] = this.scores[child];
      this.slots[i] = this.slots[child];
      i = child;
    }
    this.scores[i] = score;
    this.slots[i] = slot;
  }

  sorted(): Scored[] {
    const out: Scored[] = [];
    for (let i = 0; i < this.length; i++) out.push({ slot: this.slots[i], score: this.scores[i] });
    return out.sort((a, b) => b.score - a.score);
  }
}

export class SearchIndex {
  /** Chunk per slot; a slot is also the Orama document id. Freed slots are reused. */
  private readonly slots: (StoredChunk | undefined)[] = [];
  private readonly freeSlots: number[] = [];
  private readonly slotsByFile = new Map<string, number[]>();
  private vectors: Float32Array;
  private live = 0;
  /** Per-query BM25 accumulator by Orama internal id, kept zeroed between queries. */
  private scores = new Float64Array(1024);

  private constructor(
    private readonly db: AnyOrama,
    private readonly dimension: number,
  ) {
    this.vectors = new Float32Array(1024 * dimension);
  }

  static async create(dimension: number): Promise<SearchIndex> {
    // The sorter is off: Orama's default sortable fields make every insert O(N).
    const db = create({
      schema,
      components: { tokenizer: createCodeTokenizer(), index: createIndexComponent() },
      sort: { enabled: false },
    }) as AnyOrama;
    return new SearchIndex(db, dimension);
  }

  /** Chunks in the index. */
  get count(): number {
    return this.live;
  }

  /** Adds chunks in batches, yielding between them so searches are answered while a large index builds. */
  async add(chunks: StoredChunk[]): Promise<void> {
    for (let start = 0; start < chunks.length; start += ADD_BATCH) {
      for (const chunk of chunks.slice(start, start + ADD_BATCH)) this.addOne(chunk);
      if (start + ADD_BATCH < chunks.length) await yieldToLoop();
    }
  }

  /** Removes every chunk of the file. */
  removeFile(path: string): void {
    const slots = this.slotsByFile.get(path);
    if (!slots) return;
    for (const slot of slots) {
      remove(this.db, String(slot));
      this.slots[slot] = undefined;
      this.freeSlots.push(slot);
      this.live--;
    }
    this.slotsByFile.delete(path);
  }

  /** Throws InvalidParamsError for a bad glob or a semantic search without a vector. */
  search(query: SearchQuery): SearchHit[] {
    if (query.mode === 'semantic' && !query.vector) throw new InvalidParamsError('semantic search needs a query vector');
    const allowed = this.allowedDocs(query.languages ?? [], query.paths ?? []);
    const wanted = Math.max(FUSION.candidates, (query.offset + query.limit) * 2);
    const keyword = query.mode === 'semantic' ? [] : this.keywordSearch(query.text, allowed, wanted);
    const vector = query.mode === 'keyword' || !query.vector ? [] : this.vectorSearch(query.vector, allowed, wanted);
    let ranked: Scored[];
    if (query.mode === 'semantic') ranked = vector;
    else if (query.mode === 'keyword' || !query.vector) ranked = normaliseKeyword(keyword);
    else ranked = fuse(keyword, this.withMissingCosines(vector, keyword, query.vector));
    return this.page(ranked, query);
  }

  private addOne(chunk: StoredChunk): void {
    if (chunk.vector.length !== this.dimension) {
      throw new Error(`chunk ${chunk.path}:${chunk.startLine} has a ${chunk.vector.length}-d vector, the index expects ${this.dimension}`);
    }
    const slot = this.freeSlots.pop() ?? this.slots.length;
    if ((slot + 1) * this.dimension > this.vectors.length) {
      const grown = new Float32Array(this.vectors.length * 2);
      grown.set(this.vectors);
      this.vectors = grown;
    }
    this.vectors.set(chunk.vector, slot * this.dimension);
    this.slots[slot] = chunk;
    insert(this.db, {
      id: String(slot),
      content: chunk.content,
      symbol: chunk.symbol,
      path: chunk.path,
      language: chunk.language,
      ext: extensionOf(chunk.path),
      folders: ancestorFolders(chunk.path),
    });
    const fileSlots = this.slotsByFile.get(chunk.path);
    if (fileSlots) fileSlots.push(slot);
    else this.slotsByFile.set(chunk.path, [slot]);
    this.live++;
  }

  private slotOf(internalId: number): number {
    return Number(this.db.internalDocumentIDStore.internalIdToId[internalId - 1]);
  }

  private internalIdOf(slot: number): number {
    return this.db.internalDocumentIDStore.idToInternalId.get(String(slot))!;
  }

  /** Orama internal ids of the chunks the filters let through, or undefined when there are no filters. */
  private allowedDocs(languages: string[], paths: string[]): Set<number> | undefined {
    const globs: CompiledGlob[] = paths.map(compileGlob);
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
    let ids: Set<number> | undefined;
    if (clauses.length > 0) {
      ids = this.db.index.searchByWhereClause(this.db.data.index, this.db.tokenizer, { and: clauses }, undefined) as Set<number>;
    }
    if (globs.length === 0 || globs.every((g) => g.exact)) return ids;
    const candidates = ids ? [...ids].map((id) => this.slotOf(id)) : this.liveSlots();
    const verdicts = new Map<string, boolean>();
    const exact = new Set<number>();
    for (const slot of candidates) {
      const path = this.slots[slot]?.path;
      if (path === undefined) continue;
      let ok = verdicts.get(path);
      if (ok === undefined) verdicts.set(path, (ok = globs.some((g) => g.matches(path))));
      if (ok) exact.add(this.internalIdOf(slot));
    }
    return exact;
  }

  private liveSlots(): number[] {
    const out: number[] = [];
    for (let slot = 0; slot < this.slots.length; slot++) if (this.slots[slot]) out.push(slot);
    return out;
  }

  /**
   * BM25 over Orama's inverted index, scored into a flat array and cut to the top `wanted` with a heap.
   * Orama's own `search` builds two Maps per matching document and sorts every hit: at 100k chunks a common word
   * costs hundreds of ms there. Exact terms only: prefix matching makes a common word hit most of the index.
   */
  private keywordSearch(text: string, allowed: Set<number> | undefined, wanted: number): Scored[] {
    if (allowed && allowed.size === 0) return [];
    const data = this.db.data.index as components.index.Index;
    const docs = count(this.db);
    const size = this.db.internalDocumentIDStore.internalIdToId.length + 1;
    if (this.scores.length < size) this.scores = new Float64Array(size * 2);
    const scores = this.scores;
    const touched: number[] = [];
    for (const token of codeTokens(text)) {
      for (const prop of TEXT_FIELDS) {
        const found = (data.indexes[prop].node as { find(p: { term: string; exact: boolean }): Record<string, number[] | Set<number>> })
          .find({ term: token, exact: true });
        // Tokens such as `constructor` are also Object.prototype keys: only own properties count.
        if (!Object.hasOwn(found, token)) continue;
        const ids = found[token];
        const occurrences = data.tokenOccurrences[prop][token];
        const matching = typeof occurrences === 'number' ? occurrences : 0;
        const idf = Math.log(1 + (docs - matching + 0.5) / (matching + 0.5));
        const lengths = data.fieldLengths[prop];
        const frequencies = data.frequencies[prop];
        const average = data.avgFieldLength[prop];
        const boost = BOOST[prop as keyof typeof BOOST];
        for (const id of ids) {
          if (allowed && !allowed.has(id)) continue;
          const frequency = frequencies[id]?.[token];
          const tf = typeof frequency === 'number' ? frequency : 0;
          const norm = BM25.k * (1 - BM25.b + (BM25.b * (lengths[id] ?? average)) / average);
          if (scores[id] === 0) touched.push(id);
          scores[id] += (boost * idf * (BM25.d + tf * (BM25.k + 1))) / (tf + norm);
        }
      }
    }
    const top = new TopK(wanted);
    for (const id of touched) {
      if (scores[id] > top.floor) top.push(this.slotOf(id), scores[id]);
      scores[id] = 0;
    }
    return top.sorted();
  }

  private vectorSearch(query: Float32Array, allowed: Set<number> | undefined, wanted: number): Scored[] {
    const q = normalised(query);
    const top = new TopK(wanted);
    const scan = (slot: number) => {
      const score = this.dot(q, slot);
      if (score > top.floor) top.push(slot, score);
    };
    if (allowed) for (const id of allowed) scan(this.slotOf(id));
    else for (let slot = 0; slot < this.slots.length; slot++) if (this.slots[slot]) scan(slot);
    return top.sorted();
  }

  private dot(q: Float32Array, slot: number): number {
    const v = this.vectors;
    const base = slot * this.dimension;
    let sum = 0;
    for (let i = 0; i < q.length; i++) sum += q[i] * v[base + i];
    return sum;
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
      });
      if (hits.length >= query.offset + query.limit) break;
    }
    return hits.slice(query.offset);
  }
}

function normalised(vector: Float32Array): Float32Array {
  let norm = 0;
  for (let i = 0; i < vector.length; i++) norm += vector[i] * vector[i];
  norm = Math.sqrt(norm);
  if (norm === 0 || Math.abs(norm - 1) < 1e-6) return vector;
  return vector.map((x) => x / norm);
}
