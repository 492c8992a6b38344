// The in-memory search engine of one project, built from its store: BM25 over content, symbol and path (code-aware tokens,
// `keyword-index.ts`), int8 vectors with an approximate index above a size (`vector-index.ts`), and Orama for the
// language / kind / folder / extension filters, one Orama document per file (filters are properties of files).
// Memory holds per chunk only numbers in typed arrays and its symbol: a chunk's text stays in the store's segments and is
// read by offset (`TextSource`) for the few candidates a search looks at, with a small cache of recent ones.
import { create, insert, remove, type AnyOrama } from '@orama/orama';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { DEFAULT_MAX_PER_FILE, type FileHit, type FileKind, type SearchHit, type SearchMode } from '../protocol';
import type { Chunk } from './chunker';
import { codeTokens } from './code-tokenizer';
import { definitionMatcher, type DefinitionMatcher } from './definitions';
import { fileKind } from './file-kind';
import { BUILTIN_FUSION, FUSION_CANDIDATES, fuse, normaliseKeyword, type FusionWeights, type Scored } from './fusion';
import { grownArray } from './grown-array';
import { KeywordIndex, type KeywordHits } from './keyword-index';
import { lineTermWeights, matchedWords, matchWindow } from './match-window';
import { ancestorFolders, compileGlob, extensionOf, InvalidParamsError, passesGlobs, type CompiledGlob } from './path-globs';
import { planQuery, type QueryPlan } from './query-plan';
import { kindPrior, longQueryFloor, passesFloor, RANKING } from './ranking';
import type { IndexedChunk, RecordLocation } from './store';
import { TopK } from './top-k';
import { VectorIndex, type AllowedSlots } from './vector-index';
import { chunkColumn, type ChunkSnapshot } from './chunk-snapshot';
import { SlotById } from './slot-by-id';
import { SymbolColumn } from './symbol-column';
import { decodeIvf, encodeIvf } from './vector-snapshot';

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

/** Reads a chunk's text from where the store keeps it; null when it is gone (the file was re-indexed meanwhile). */
export interface TextSource {
  readText(location: RecordLocation, textOffset: number, textBytes: number): string | null;
}

/** A candidate with its evidence, after the priors. */
interface Judged {
  slot: number;
  file: FileEntry;
  kind: FileKind;
  score: number;
  /** Share of the fused score that came from keywords. */
  keywordShare: number;
  definition: boolean;
  weak: boolean;
}

/** What the index knows of one file; its chunks are slots. */
interface FileEntry {
  path: string;
  language: string;
  /** Computed when first needed (`kindOf`): a start places 100k files, a search judges a few hundred. */
  kind: FileKind | undefined;
  location: RecordLocation;
  slots: number[];
}

/** In a `files` search, a file's score is its best chunk's plus this share of each of its next two: breadth breaks ties. */
const FILE_MORE_SHARE = 0.1;

/** Orama holds only the filter fields, one document per file: its own full-text index keeps no term frequencies. */
const schema = {
  language: 'enum',
  kind: 'enum',
  ext: 'enum',
  folders: 'enum[]',
} as const;

/** Longest stretch of keyword inserts between yields to the event loop, so searches are answered while an index builds. */
const ADD_SLICE_MS = 10;
/** Filter sets kept for repeated queries (a panel re-running one filter while typing). */
const FILTER_CACHE_SIZE = 16;
/** A keyword snapshot is rewritten once this many chunks, or this share of them, changed since the last one. */
const SNAPSHOT_MIN_CHANGES = 2000;
const SNAPSHOT_CHANGED_SHARE = 0.05;
/** How deep, in hits per hit of the page, a search checks whether chunks define the queried names (see `judge`). */
const DEFINITION_CHECKS_PER_HIT = 4;
/** Texts of recently shown or judged chunks kept in memory. */
const TEXT_CACHE_SIZE = 1024;

export class SearchIndex {
  /** File number per slot, -1 for a free slot. Freed slots are reused. */
  private fileOfSlot = new Int32Array(1024).fill(-1);
  private startLines = new Int32Array(1024);
  private endLines = new Int32Array(1024);
  private textOffsets = new Uint32Array(1024);
  private textBytes = new Uint32Array(1024);
  /** The store's chunk id per slot: the key that ties a persisted snapshot to slots. */
  private chunkIds = new Uint32Array(1024);
  private readonly symbols = new SymbolColumn();
  private slotCount = 0;
  private readonly freeSlots: number[] = [];
  /** Slots whose text is in the keyword index; the others are still queued. */
  private inKeywords = new Uint8Array(1024);
  private readonly files: (FileEntry | undefined)[] = [];
  private readonly fileByPath = new Map<string, number>();
  private readonly freeFiles: number[] = [];
  /** Orama internal id → file number. */
  private fileByInternal = new Int32Array(1024);
  /** Files whose Orama filter document is still to be inserted: `adopt` defers them, and a filtered search waits for them. */
  private unfiltered: number[] = [];
  private live = 0;
  private pending = 0;
  private keyword = new KeywordIndex();
  private readonly vectors: VectorIndex;
  /** Filter sets by filter key; emptied whenever the indexed chunks change. */
  private readonly allowedCache = new Map<string, AllowedSlots>();
  private readonly textCache = new Map<number, string>();
  /** Chunks put into or taken out of the keyword index since its last snapshot. */
  private changedSinceSnapshot = 0;

  private constructor(
    private readonly db: AnyOrama,
    private readonly dimension: number,
    private readonly fusion: FusionWeights,
    private readonly source: TextSource,
    exactVectors: boolean,
  ) {
    this.vectors = new VectorIndex(dimension, exactVectors ? { approximateFrom: Infinity } : {});
  }

  /**
   * `fusion`: how hybrid search weighs the two sides, which depends on the model (`fusionWeightsFor`). `exactVectors`
   * scans every vector at any size (`CCC_EXACT_VECTORS=1`: the reference `npm run bench:scale` measures recall against).
   */
  static async create(
    dimension: number, source: TextSource, fusion: FusionWeights = BUILTIN_FUSION, exactVectors = false,
  ): Promise<SearchIndex> {
    // The sorter is off: Orama's default sortable fields make every insert O(N).
    const db = create({ schema, sort: { enabled: false } }) as AnyOrama;
    return new SearchIndex(db, dimension, fusion, source, exactVectors);
  }

  /** Chunks in the index. */
  get count(): number {
    return this.live;
  }

  /** True while chunks are still being put into the keyword index: vector search already sees them, keyword search not yet. */
  get warming(): boolean {
    return this.pending > 0;
  }

  /** Bytes held by the index's arrays (an estimate for the strings and Orama). */
  memoryBytes(): number {
    const columns = this.fileOfSlot.byteLength * 6 + this.inKeywords.byteLength;
    return columns + this.symbols.byteLength + this.files.length * 200 + this.vectors.memoryBytes() + this.keyword.memoryBytes();
  }

  /**
   * Adds chunks. Their vectors are searchable at once; their text goes into the keyword index in time slices, yielding
   * between them, so searches are answered (keyword side partial, see `warming`) while a large index builds.
   */
  async add(chunks: IndexedChunk[]): Promise<void> {
    const placed = this.place(chunks);
    await this.indexText(placed, chunks.map((chunk) => chunk.content));
  }

  /** Makes chunks searchable by vector and filters; their text is indexed later by `add`'s second half or `warm`. */
  place(chunks: IndexedChunk[]): number[] {
    this.allowedCache.clear();
    return chunks.map((chunk) => this.placeOne(chunk));
  }

  /**
   * Places, on an empty index, the chunks of every file of `snapshot` whose record still lies where the snapshot says
   * (`locationOf` gives where the store has it now), in bulk; returns those files' paths. The others, and files the
   * snapshot lacks, are for `place`. Their text is indexed later by `warm`.
   */
  adopt(snapshot: ChunkSnapshot, locationOf: (path: string) => RecordLocation | undefined): Set<string> {
    if (this.slotCount > 0) throw new Error('a snapshot is adopted by an empty index only');
    const { files } = snapshot;
    const count = snapshot.scales.length;
    if (count > 0) this.growSlots(count - 1);
    this.chunkIds.set(chunkColumn(snapshot, 'id'));
    this.startLines.set(chunkColumn(snapshot, 'startLine'));
    this.endLines.set(chunkColumn(snapshot, 'endLine'));
    this.textOffsets.set(chunkColumn(snapshot, 'textOffset'));
    this.textBytes.set(chunkColumn(snapshot, 'textBytes'));
    const keep = new Uint8Array(count);
    const adopted = new Set<string>();
    let first = 0;
    snapshot.paths.forEach((path, f) => {
      const end = first + files[4 * f + 3];
      const location = locationOf(path);
      if (location && location.segment === files[4 * f] && location.offset === files[4 * f + 1] && location.bytes === files[4 * f + 2]) {
        const fileNo = this.addFile(path, snapshot.languages[f], location, false);
        const slots = this.files[fileNo]!.slots;
        for (let slot = first; slot < end; slot++) slots.push(slot);
        this.fileOfSlot.fill(fileNo, first, end);
        keep.fill(1, first, end);
        this.live += end - first;
        adopted.add(path);
      } else {
        for (let slot = first; slot < end; slot++) this.freeSlots.push(slot);
      }
      first = end;
    });
    this.slotCount = count;
    this.symbols.load(snapshot.symbols, chunkColumn(snapshot, 'symbolBytes'));
    for (let slot = 0; slot < count; slot++) if (!keep[slot]) this.symbols.clear(slot);
    this.vectors.importRows(0, snapshot, keep);
    this.allowedCache.clear();
    return adopted;
  }

  /** The chunks as a snapshot (`chunks.bin`): the next start adopts them instead of reading every record. */
  chunkSnapshot(): ChunkSnapshot {
    const paths: string[] = [];
    const languages: string[] = [];
    const fileColumns: number[] = [];
    const slots: number[] = [];
    for (const file of this.files) {
      if (!file) continue;
      paths.push(file.path);
      languages.push(file.language);
      fileColumns.push(file.location.segment, file.location.offset, file.location.bytes, file.slots.length);
      for (const slot of file.slots) slots.push(slot);
    }
    const symbols = this.symbols.export(slots);
    const columns = [this.chunkIds, this.startLines, this.endLines, this.textOffsets, this.textBytes];
    const chunks = new Uint32Array((columns.length + 1) * slots.length);
    columns.forEach((column, c) => slots.forEach((slot, i) => (chunks[c * slots.length + i] = column[slot])));
    chunks.set(symbols.lengths, columns.length * slots.length);
    return { paths, languages, files: Uint32Array.from(fileColumns), chunks, ...this.vectors.exportRows(slots), symbols: symbols.bytes };
  }

  /**
   * Finishes a load of chunks `place`d without text, from the snapshots saved beside the store (by chunk id): fills the
   * keyword index from `keywords.bin` where it holds the chunks, and tokenises the rest, reading their text, in slices
   * like `add`; meanwhile adopts the approximate vector index's lists (`vectors.bin`; a bad one is left for training);
   * last, inserts the filter documents `adopt` deferred.
   */
  async warm(
    snapshots: { keywords: Buffer | null; vectors: Buffer | null }, log: (message: string) => void, warn: (message: string) => void,
  ): Promise<void> {
    if (snapshots.keywords) {
      try {
        this.keyword = KeywordIndex.fromBytes(snapshots.keywords, this.slotOfChunk());
        for (let slot = 0; slot < this.slotCount; slot++) if (this.fileOfSlot[slot] >= 0 && this.keyword.holds(slot)) this.inKeywords[slot] = 1;
      } catch (error) {
        warn(`the keyword snapshot is unusable, tokenising every chunk instead: ${(error as Error).message}`);
        this.keyword = new KeywordIndex();
      }
    }
    const missing: number[] = [];
    for (let slot = 0; slot < this.slotCount; slot++) if (this.fileOfSlot[slot] >= 0 && !this.inKeywords[slot]) missing.push(slot);
    log(`keyword index: ${this.live - missing.length} chunks from the snapshot, ${missing.length} tokenised`);
    const tokenising = this.indexText(missing, []);
    // Searches scan every vector until the lists are adopted, so the first answer need not wait for them.
    if (snapshots.vectors) {
      await yieldToLoop();
      try {
        this.vectors.restoreIvf(decodeIvf(snapshots.vectors, this.dimension, this.slotCount, this.slotOfChunk()));
      } catch (error) {
        warn((error as Error).message);
      }
    }
    await tokenising;
    await this.fillFilters();
  }

  /** The live slot of a chunk id (-1 for a chunk gone), as the slots are now. */
  private slotOfChunk(): (id: number) => number {
    const slotById = new SlotById(this.chunkIds, this.slotCount, (slot) => this.fileOfSlot[slot] >= 0);
    return (id) => (id === 0 ? -1 : slotById.get(id));
  }

  /** Trains the approximate vector index when it is due (in slices); its snapshot's bytes when it trained, else null. */
  async maintainVectors(): Promise<Buffer | null> {
    if (!(await this.vectors.maintain())) return null;
    const state = this.vectors.ivfState();
    return state && encodeIvf(state, this.dimension, (slot) => this.chunkIds[slot]);
  }

  /** True once enough has changed since the last snapshot that the next start would spend real time tokenising. */
  get snapshotDue(): boolean {
    const changed = this.changedSinceSnapshot;
    return changed > 0 && (changed >= SNAPSHOT_MIN_CHANGES || changed >= this.live * SNAPSHOT_CHANGED_SHARE);
  }

  /**
   * Folds the keyword index's recent part (a Map per term) into its frozen base, in slices. Called at the end of a big
   * pass, before its full GC, so the Maps and the merge's garbage go in that collection instead of lingering after it.
   */
  freezeKeywords(): Promise<void> {
    return this.keyword.freeze();
  }

  /** The keyword index as bytes (after merging its recent part), for a snapshot the next start loads instead of tokenising. */
  async keywordSnapshot(): Promise<Buffer[]> {
    const changed = this.changedSinceSnapshot;
    await this.keyword.freeze();
    const bytes = this.keyword.toBytes();
    this.changedSinceSnapshot -= changed;
    return bytes;
  }

  /** Removes every chunk of the file. */
  removeFile(path: string): void {
    const fileNo = this.fileByPath.get(path);
    if (fileNo === undefined) return;
    this.ensureFilters();
    const file = this.files[fileNo]!;
    for (const slot of file.slots) {
      if (this.inKeywords[slot]) {
        const text = this.text(slot);
        // A text that cannot be read any more leaves its document frequencies a little high until the next rebuild.
        this.keyword.remove(slot, { content: text ?? '', symbol: this.symbols.get(slot), path });
      }
      if (this.inKeywords[slot]) this.changedSinceSnapshot++;
      this.inKeywords[slot] = 0;
      this.fileOfSlot[slot] = -1;
      this.symbols.clear(slot);
      this.vectors.delete(slot);
      this.textCache.delete(slot);
      this.freeSlots.push(slot);
      this.live--;
    }
    remove(this.db, String(fileNo));
    this.files[fileNo] = undefined;
    this.fileByPath.delete(path);
    this.freeFiles.push(fileNo);
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
    const q = query.vector ? normalised(query.vector) : null;
    const vector = query.mode === 'keyword' || !q ? [] : this.vectors.search(q, wanted, allowed);
    const cosines = q && query.mode !== 'keyword' ? this.withMissingCosines(vector, keyword.hits, q) : [];
    let ranked: Scored[];
    if (query.mode === 'semantic') ranked = vector;
    else if (query.mode === 'keyword' || !q) ranked = normaliseKeyword(keyword.hits);
    else ranked = fuse(keyword.hits, cosines, this.fusion);
    const judged = this.judge(ranked, query, plan, keyword, cosines, askedKinds(plan, globs, query.kinds ?? []));
    return this.page(judged, query, plan);
  }

  /**
   * Evidence, priors and the floor for every candidate, best first. Whether a chunk defines a queried name needs its text
   * (read from disk), so it is asked only while a candidate could still reach the first `DEFINITION_CHECKS_PER_HIT` × page
   * hits: priors never raise a score, so one whose score before the mention prior is under that many final scores cannot.
   */
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
      const fileNo = this.fileOfSlot[slot];
      if (fileNo < 0) continue;
      const file = this.files[fileNo]!;
      if (exclude && file.path === exclude.path && this.startLines[slot] <= exclude.endLine && this.endLines[slot] >= exclude.startLine) continue;
      const kind = kindOf(file);
      const evidence = { matched: matched.get(slot) ?? 0, total: keyword.total, cosine: cosine.get(slot) ?? null };
      const weak = !passesFloor(query.mode, evidence, longFloor, this.fusion.minCosine);
      const keywordShare = this.keywordShare(query.mode, keywordNorm.get(slot) ?? 0, evidence.cosine);
      judged.push({ slot, file, kind, score: score * kindPrior(kind, asked), keywordShare, definition: false, weak });
    }
    judged.sort((a, b) => b.score - a.score);
    if (plan.names.length === 0) return judged;
    const best = new TopK(Math.max(FUSION_CANDIDATES / 2, (query.offset + query.limit) * DEFINITION_CHECKS_PER_HIT));
    for (const hit of judged) {
      // Mentions are what a search for tests or docs of a name wants ("tests for res.redirect"): no mention prior there.
      const mentionsWanted = hit.kind !== 'code' && asked.has(hit.kind);
      if (hit.score < best.floor) {
        if (!mentionsWanted) hit.score *= RANKING.mentionPrior;
        continue;
      }
      hit.definition = matcher.defines(this.symbols.get(hit.slot), () => this.text(hit.slot) ?? '');
      if (!hit.definition && !mentionsWanted) hit.score *= RANKING.mentionPrior;
      best.push(hit.slot, hit.score);
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

  /** A chunk's text: from the cache, else read from the store (and cached). */
  private text(slot: number): string | null {
    const cached = this.textCache.get(slot);
    if (cached !== undefined) {
      // Re-inserted, so the Map's order is least recently used first.
      this.textCache.delete(slot);
      this.textCache.set(slot, cached);
      return cached;
    }
    const file = this.files[this.fileOfSlot[slot]];
    if (!file) return null;
    const text = this.source.readText(file.location, this.textOffsets[slot], this.textBytes[slot]);
    if (text !== null) this.cacheText(slot, text);
    return text;
  }

  private cacheText(slot: number, text: string): void {
    if (this.textCache.size >= TEXT_CACHE_SIZE) this.textCache.delete(this.textCache.keys().next().value!);
    this.textCache.set(slot, text);
  }

  /** Gives the chunk a slot, its vector a place in the vector index and its file a filter entry. */
  private placeOne(chunk: IndexedChunk): number {
    const slot = this.freeSlots.pop() ?? this.slotCount++;
    if (slot >= this.fileOfSlot.length) this.growSlots(slot);
    const fileNo = this.fileFor(chunk);
    this.fileOfSlot[slot] = fileNo;
    this.startLines[slot] = chunk.startLine;
    this.endLines[slot] = chunk.endLine;
    this.textOffsets[slot] = chunk.textOffset;
    this.textBytes[slot] = chunk.textBytes;
    this.chunkIds[slot] = chunk.id;
    this.symbols.set(slot, chunk.symbol);
    this.inKeywords[slot] = 0;
    this.vectors.setQuantised(slot, chunk.codes, chunk.codesAt, chunk.scale);
    this.files[fileNo]!.slots.push(slot);
    this.live++;
    return slot;
  }

  private growSlots(slot: number): void {
    this.fileOfSlot = grownArray(this.fileOfSlot, slot, -1);
    this.startLines = grownArray(this.startLines, slot);
    this.endLines = grownArray(this.endLines, slot);
    this.textOffsets = grownArray(this.textOffsets, slot);
    this.textBytes = grownArray(this.textBytes, slot);
    this.chunkIds = grownArray(this.chunkIds, slot);
    this.inKeywords = grownArray(this.inKeywords, slot);
  }

  /** The file number of the chunk's file, added on its first chunk. */
  private fileFor(chunk: IndexedChunk): number {
    return this.fileByPath.get(chunk.path) ?? this.addFile(chunk.path, chunk.language, chunk.location);
  }

  /** A new file entry, with its Orama filter document now or (`filterNow` false) deferred to `fillFilters`. */
  private addFile(path: string, language: string, location: RecordLocation, filterNow = true): number {
    const fileNo = this.freeFiles.pop() ?? this.files.length;
    this.files[fileNo] = { path, language, kind: undefined, location, slots: [] };
    this.fileByPath.set(path, fileNo);
    if (filterNow) this.insertFilterDocument(fileNo);
    else this.unfiltered.push(fileNo);
    return fileNo;
  }

  private insertFilterDocument(fileNo: number): void {
    const file = this.files[fileNo]!;
    const id = String(fileNo);
    insert(this.db, { id, language: file.language, kind: kindOf(file), ext: extensionOf(file.path), folders: ancestorFolders(file.path) });
    const internalId = this.db.internalDocumentIDStore.idToInternalId.get(id) as number;
    if (internalId >= this.fileByInternal.length) this.fileByInternal = grownArray(this.fileByInternal, internalId);
    this.fileByInternal[internalId] = fileNo;
  }

  /** Inserts every deferred filter document now: a filtered search, or a removal, needs them all. */
  private ensureFilters(): void {
    for (const fileNo of this.unfiltered) this.insertFilterDocument(fileNo);
    this.unfiltered = [];
  }

  /** Inserts the deferred filter documents in time slices, yielding between them. */
  private async fillFilters(): Promise<void> {
    while (this.unfiltered.length > 0) {
      const sliceEnd = performance.now() + ADD_SLICE_MS;
      while (this.unfiltered.length > 0 && performance.now() < sliceEnd) this.insertFilterDocument(this.unfiltered.pop()!);
      await yieldToLoop();
    }
  }

  /** Puts the slots' texts into the keyword index in time slices; `contents[i]` is slot i's text when in hand. */
  private async indexText(slots: number[], contents: (string | undefined)[]): Promise<void> {
    this.pending += slots.length;
    let done = 0;
    try {
      while (done < slots.length) {
        // Sliced by time, not count: an insert's cost varies with the text, and searches wait for every slice.
        const sliceEnd = performance.now() + ADD_SLICE_MS;
        const start = done;
        while (done < slots.length && performance.now() < sliceEnd) {
          this.insertText(slots[done], contents[done]);
          done++;
        }
        this.pending -= done - start;
        if (done < slots.length) await yieldToLoop();
      }
    } finally {
      this.pending -= slots.length - done;
    }
  }

  private insertText(slot: number, content: string | undefined): void {
    // The chunk may have been removed (its file re-indexed) while it waited in the queue.
    const file = this.files[this.fileOfSlot[slot]];
    if (!file || this.inKeywords[slot]) return;
    const text = content ?? this.text(slot);
    if (text === null) return;
    this.keyword.add(slot, { content: text, symbol: this.symbols.get(slot), path: file.path }, this.chunkIds[slot]);
    this.inKeywords[slot] = 1;
    this.changedSinceSnapshot++;
  }

  /** The chunks the filters let through, or undefined when there are no filters. Cached by filter until the chunks change. */
  private allowedDocs(languages: string[], paths: string[], kinds: FileKind[]): AllowedSlots | undefined {
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

  private computeAllowed(languages: string[], globs: CompiledGlob[], kinds: FileKind[]): AllowedSlots {
    this.ensureFilters();
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
    const candidates: FileEntry[] = [];
    if (clauses.length > 0) {
      const ids = this.db.index.searchByWhereClause(this.db.data.index, this.db.tokenizer, { and: clauses }, undefined) as Set<number>;
      for (const id of ids) {
        const file = this.files[this.fileByInternal[id]];
        if (file) candidates.push(file);
      }
    } else {
      for (const file of this.files) if (file) candidates.push(file);
    }
    const exactGlobs = globs.every((g) => !g.negated && g.exact);
    const slots: number[] = [];
    for (const file of candidates) if (exactGlobs || passesGlobs(globs, file.path)) slots.push(...file.slots);
    slots.sort((a, b) => a - b);
    const mask = new Uint8Array(this.slotCount);
    for (const slot of slots) mask[slot] = 1;
    return { mask, slots: Int32Array.from(slots) };
  }

  /** Keyword hits the vector top-k missed still have a cosine; fusing them with 0 would undervalue them. */
  private withMissingCosines(vector: Scored[], keyword: Scored[], q: Float32Array): Scored[] {
    const seen = new Set(vector.map((hit) => hit.slot));
    const missing = Int32Array.from(keyword.filter((hit) => !seen.has(hit.slot)).map((hit) => hit.slot));
    const scores = this.vectors.scores(q, missing);
    return [...vector, ...Array.from(missing, (slot, i) => ({ slot, score: scores[i] }))];
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
      const files = rankFiles(shown, (hit) => this.hitFields(hit)).slice(query.offset, end).map(({ file, best }) => {
        const { window } = matchWindow(this.startLines[best.slot], this.text(best.slot) ?? '', this.symbols.get(best.slot), weights, matcher);
        return { ...file, bestLine: window.bestLine };
      });
      return { hits: [], files, noGoodMatch, weakHits };
    }
    const capped = capPerFile(shown, query.maxPerFile, end);
    const hits = capped.slice(query.offset, end).map((hit) => toSearchHit(this.hitFields(hit), hit, plan, weights, matcher));
    return { hits, noGoodMatch, weakHits };
  }

  /** What a hit shows of its chunk, its text read now. */
  private hitFields(hit: Judged): Chunk {
    const { slot, file } = hit;
    return {
      path: file.path, language: file.language, startLine: this.startLines[slot], endLine: this.endLines[slot], symbol: this.symbols.get(slot),
      content: this.text(slot) ?? '',
    };
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
    const n = perFile.get(hit.file.path) ?? 0;
    perFile.set(hit.file.path, n + 1);
    if (n < cap) first.push(hit);
    else if (maxPerFile === undefined) overflow.push(hit);
    if (first.length >= wanted) break;
  }
  return [...first, ...overflow].slice(0, wanted);
}

/** Files scored from their best chunks: the best, plus a small share of the next two; kept in [0, 1]. Best first. */
function rankFiles(hits: Judged[], fields: (hit: Judged) => Chunk): { file: FileHit; best: Judged }[] {
  const byFile = new Map<string, Judged[]>();
  for (const hit of hits) {
    const list = byFile.get(hit.file.path);
    if (list) list.push(hit);
    else byFile.set(hit.file.path, [hit]);
  }
  const files: { file: FileHit; best: Judged }[] = [];
  for (const [path, list] of byFile) {
    const [best, ...rest] = list;
    const more = rest.slice(0, 2).reduce((sum, hit) => sum + hit.score, 0);
    const score = (best.score + FILE_MORE_SHARE * more) / (1 + 2 * FILE_MORE_SHARE);
    const { startLine, symbol } = fields(best);
    files.push({
      file: { path, language: best.file.language, kind: best.kind, score, chunks: list.length, bestLine: startLine, symbol },
      best,
    });
  }
  return files.sort((a, b) => b.file.score - a.file.score);
}

function toSearchHit(chunk: Chunk, hit: Judged, plan: QueryPlan, weights: Map<string, number>, matcher: DefinitionMatcher): SearchHit {
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

function kindOf(file: FileEntry): FileKind {
  return (file.kind ??= fileKind(file.path));
}

function normalised(vector: Float32Array): Float32Array {
  let norm = 0;
  for (let i = 0; i < vector.length; i++) norm += vector[i] * vector[i];
  norm = Math.sqrt(norm);
  if (norm === 0 || Math.abs(norm - 1) < 1e-6) return vector;
  return vector.map((x) => x / norm);
}
