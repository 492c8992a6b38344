// Okapi BM25 over a chunk's content, symbol and path, with real term frequencies and length normalisation.
// Two tiers: a frozen base (`keyword-base.ts`: typed arrays only, varint postings, written to and read from bytes as is)
// and a delta (`keyword-delta.ts`: a Map of flat postings) for the documents added since the last freeze. Both are scored
// with the same global statistics (live documents, df summed over the tiers, average field lengths), so a document
// scores the same whichever tier holds it. `freeze` folds the delta into a new base (`keyword-merge.ts`) in slices that
// yield to the event loop; it runs by itself once the delta holds 10 % of the base (at least 2,048 documents).
//
// Documents are numbered in insertion order across the tiers; removing one only marks it dead (document → slot -1), and
// a slot reused by a new chunk gets a new number, so a stale posting can never score it. A dead base document's df is
// subtracted lazily: the first time a term's df is needed its postings are scanned for dead documents (and the count
// kept); `remove` bumps the counts already kept, from the text it is given. So df stays exact without a forward index
// (per-document term ids, which would cost about as much memory as the postings themselves), and documents dead at load
// (`fromBytes`) need nothing at all until a query touches their terms.
//
// Measured (`npm run bench:keywords`, real code in 30-line chunks): 18 MB at 100k chunks where the Map-per-term index held
// 125 MB of heap, 164 MB at 1M; the snapshot loads in 40 ms / 357 ms. Exhaustive scoring of the varint postings costs
// ~35 % over the flat pairs it replaced (p50 1.27 vs 0.93 ms at 100k).
import { codeTermCounts, codeTokens } from './code-tokenizer';
import type { Scored } from './fusion';
import { grownArray } from './grown-array';
import { DEAD_KEY, FIELD_COUNT, KeywordBase, VarintCursor, termHash } from './keyword-base';
import { KeywordDelta, type DeltaTerm } from './keyword-delta';
import { mergeTiers, type MergePlan } from './keyword-merge';
import { TopK } from './top-k';

export const TEXT_FIELDS = ['content', 'symbol', 'path'] as const;
export type TextField = (typeof TEXT_FIELDS)[number];
export type TextFields = Record<TextField, string>;

/** Tuning knobs, fitted on the CoSQA dev set (`npm run eval`). */
export const KEYWORD_SCORING = {
  k1: 1.2,
  /** Near 1: a long function mentions every word once somewhere, so length says a lot (0.75 → 0.9: MRR +0.01). */
  b: 0.9,
  /**
   * A field's weight in the sum of per-field BM25 scores. The symbol is short, so one matching word there saturates its
   * BM25; and its words are in the content too: a boost of 2 scored MRR 0.31 against 0.37 at 0.4.
   */
  boost: { content: 1, symbol: 0.4, path: 1.5 } as Record<TextField, number>,
};

/** A query term and how much it counts (1 for a short query's words). */
export interface WeightedTerm {
  term: string;
  weight: number;
}

export interface KeywordHit extends Scored {
  /** Sum of weight × idf over the query terms this chunk holds. */
  matched: number;
}

export interface KeywordHits {
  hits: KeywordHit[];
  /** Sum of weight × idf over all the query's terms: `matched / total` is the share of the query a hit covers. */
  total: number;
}

/**
 * The delta is frozen into the base once it (with the base's dead documents) reaches 10 % of the base, and at least this
 * many: a freeze rewrites the whole base, so a fixed cap made a churn of 300k chunks at 1M rewrite the base 30 times
 * (10 minutes of a pass); a share keeps the rewriting proportional to the change.
 */
const MIN_PENDING_TO_FREEZE = 2_048;

/** Queries of at most this many terms note a document's terms as bits of one int32 (see `matchedTerm`). */
const MAX_BIT_TERMS = 31;

/** A term looked up in every tier: its base term id (or -1) and its entry in each delta. */
interface TermRef {
  baseId: number;
  delta: (DeltaTerm | undefined)[];
}

export class KeywordIndex {
  private base = KeywordBase.empty();
  private baseDead = 0;
  /** Dead base documents per term and field (`id * FIELD_COUNT + field`), counted when first needed. */
  private baseDeadCounts = new Map<number, number>();
  /** The last one takes new documents; while a freeze runs, the ones before it are being merged into the next base. */
  private deltas = [new KeywordDelta(0)];
  private nextDoc = 0;
  /** Document number → slot, or -1 once removed (or never used: numbers between the base's and the delta's). */
  private slotOfDoc: Int32Array = new Int32Array(1024).fill(-1);
  /** Slot → its live document number, or -1. */
  private docOfSlot: Int32Array = new Int32Array(1024).fill(-1);
  private live = 0;
  private readonly totalLength = [0, 0, 0];
  /** Per-query accumulators by document number, kept zeroed between queries. */
  private scores = new Float64Array(1024);
  private touched = new Int32Array(1024);
  /**
   * Which query terms a document holds, so a term's idf mass counts once over the fields: for a query of at most
   * MAX_BIT_TERMS terms, one bit per term (the mass is summed for the hits only); for a longer one, the stamp (index + 1)
   * of the term that last added its mass to `matchedMass`. Both are reset when a query first touches the document, so
   * neither array needs zeroing after a query.
   */
  private matchedTerm = new Int32Array(1024);
  private matchedMass = new Float64Array(1024);
  private freezing: Promise<void> | null = null;

  /** Restores an index written by `toBytes`; `slotOfKey` places each document (-1: its chunk is gone, so it is dead). */
  static fromBytes(data: Buffer, slotOfKey: (key: number) => number): KeywordIndex {
    const { base } = KeywordBase.fromBytes(data);
    const index = new KeywordIndex();
    index.base = base;
    index.deltas = [new KeywordDelta(base.docs)];
    index.nextDoc = base.docs;
    index.slotOfDoc = new Int32Array(Math.max(1024, base.docs)).fill(-1);
    for (let doc = 0; doc < base.docs; doc++) {
      const key = base.keys[doc];
      const slot = key === DEAD_KEY ? -1 : slotOfKey(key);
      if (slot < 0) {
        index.baseDead++;
        continue;
      }
      if (slot >= index.docOfSlot.length) index.docOfSlot = grownArray(index.docOfSlot, slot, -1);
      if (index.docOfSlot[slot] >= 0) throw new Error(`keyword index: chunks ${key} and ${base.keys[index.docOfSlot[slot]]} both placed in slot ${slot}`);
      index.slotOfDoc[doc] = slot;
      index.docOfSlot[slot] = doc;
      index.live++;
      for (let f = 0; f < FIELD_COUNT; f++) index.totalLength[f] += base.lengths[f * base.docs + doc];
    }
    return index;
  }

  /** Indexes the chunk text under `slot`, which must be free (never added, or removed); `key` (a u32) names it in `toBytes`. */
  add(slot: number, text: TextFields, key: number): void {
    if (!Number.isInteger(key) || key < 0 || key >= DEAD_KEY) throw new Error(`keyword index: chunk key ${key} is not an integer in [0, 2^32 - 1)`);
    const counted = TEXT_FIELDS.map((name) => codeTermCounts(text[name]));
    const delta = this.deltas[this.deltas.length - 1];
    const doc = delta.add(key, counted.map(({ counts }) => counts), counted.map(({ length }) => length));
    this.nextDoc = doc + 1;
    if (doc >= this.slotOfDoc.length) this.slotOfDoc = grownArray(this.slotOfDoc, doc, -1);
    if (slot >= this.docOfSlot.length) this.docOfSlot = grownArray(this.docOfSlot, slot, -1);
    this.slotOfDoc[doc] = slot;
    this.docOfSlot[slot] = doc;
    this.live++;
    counted.forEach(({ length }, f) => (this.totalLength[f] += length));
    this.freezeWhenDue();
  }

  /** Forgets the slot's text; `text` is what was added, to keep document frequencies exact. */
  remove(slot: number, text: TextFields): void {
    const doc = slot < this.docOfSlot.length ? this.docOfSlot[slot] : -1;
    if (doc < 0) return;
    this.docOfSlot[slot] = -1;
    this.slotOfDoc[doc] = -1;
    this.live--;
    const delta = this.deltas.find((tier) => tier.holds(doc));
    TEXT_FIELDS.forEach((name, f) => {
      this.totalLength[f] -= delta ? delta.length(doc, f) : this.base.lengths[f * this.base.docs + doc];
      if (delta) delta.forget(f, codeTokens(text[name]));
      else if (this.baseDeadCounts.size > 0) this.countBaseRemoval(f, codeTokens(text[name]));
    });
    if (!delta) this.baseDead++;
    this.freezeWhenDue();
  }

  /**
   * The `wanted` best slots for `query` by BM25, best first; `allowedSlots` (by slot) narrows them. `query` is text, or
   * terms with weights (a long query's identifiers count more than its prose). Each hit also says how much of the query it
   * matched: `matched` is the sum of weight × idf over the query terms it holds (in any field), out of `total`.
   */
  search(query: string | WeightedTerm[], wanted: number, allowedSlots?: Uint8Array): KeywordHits {
    const terms = typeof query === 'string' ? codeTokens(query).map((term) => ({ term, weight: 1 })) : query;
    const refs = terms.map(({ term }) => this.resolve(term));
    const dfs = refs.map((ref) => TEXT_FIELDS.map((_, f) => this.df(ref, f)));
    const masses = terms.map(({ weight }, t) => weight * this.idfOf(Math.max(0, ...dfs[t])));
    const total = masses.reduce((sum, mass) => sum + mass, 0);
    if (this.live === 0) return { hits: [], total };
    this.fitAccumulators();
    const byBits = terms.length <= MAX_BIT_TERMS;
    const { k1, b, boost } = KEYWORD_SCORING;
    let touchedCount = 0;
    terms.forEach(({ weight: termWeight }, t) => {
      TEXT_FIELDS.forEach((name, f) => {
        const df = dfs[t][f];
        if (df <= 0) return;
        const idf = Math.log(1 + (this.live - df + 0.5) / (df + 0.5));
        const scoring: FieldScoring = {
          weight: termWeight * boost[name] * idf * (k1 + 1),
          baseNorm: k1 * (1 - b),
          lengthNorm: (k1 * b) / Math.max(1, this.totalLength[f] / this.live),
          stamp: t + 1,
          bit: byBits ? 1 << t : 0,
          mass: masses[t],
          allowed: allowedSlots,
        };
        if (refs[t].baseId >= 0) touchedCount = this.scoreBase(refs[t].baseId, f, scoring, touchedCount);
        refs[t].delta.forEach((entry, i) => {
          const postings = entry?.[f];
          if (postings) touchedCount = this.scoreDelta(this.deltas[i], postings.pairs, postings.used, f, scoring, touchedCount);
        });
      });
    });
    const { scores, touched, slotOfDoc, matchedTerm, matchedMass } = this;
    const top = new TopK(wanted);
    let floor = top.floor;
    for (let i = 0; i < touchedCount; i++) {
      const doc = touched[i];
      const score = scores[doc];
      if (score > floor) {
        top.push(slotOfDoc[doc], score);
        floor = top.floor;
      }
      scores[doc] = 0;
    }
    const matchedOf = (doc: number) => (byBits ? massOfBits(matchedTerm[doc], masses) : matchedMass[doc]);
    const hits = top.sorted().map((hit) => ({ ...hit, matched: matchedOf(this.docOfSlot[hit.slot]) }));
    return { hits, total };
  }

  /** The idf of a term that one chunk holds: the most a real term can weigh in this index. */
  rarestIdf(): number {
    return Math.log(1 + (this.live - 1 + 0.5) / 1.5);
  }

  /** A term's inverse document frequency (by the field holding it most); a term no chunk holds counts as the rarest. */
  idf(term: string): number {
    const ref = this.resolve(term);
    return this.idfOf(Math.max(0, ...TEXT_FIELDS.map((_, f) => this.df(ref, f))));
  }

  /**
   * Folds the documents added since the last freeze into the frozen base and drops the removed ones, in slices that yield
   * to the event loop; searches answer from the old tiers until the new base is swapped in. Runs by itself as the delta
   * grows; `toBytes` needs it first. A freeze already running is waited for, then what it did not cover is frozen.
   */
  async freeze(): Promise<void> {
    while (this.freezing) await this.freezing.catch(() => undefined);
    if (this.deltas.every((delta) => delta.docs === 0) && this.baseDead === 0) return;
    this.freezing = this.merge();
    try {
      await this.freezing;
    } finally {
      this.freezing = null;
    }
  }

  /** The frozen base as bytes, with each document's key (see `fromBytes`); throws while documents wait for `freeze`. */
  toBytes(): Buffer[] {
    const pending = this.deltas.reduce((sum, delta) => sum + delta.docs, 0);
    if (pending > 0) throw new Error(`keyword index: ${pending} documents are not frozen yet; await freeze() before toBytes()`);
    let keys = this.base.keys;
    if (this.baseDead > 0) {
      keys = keys.slice();
      for (let doc = 0; doc < this.base.docs; doc++) if (this.slotOfDoc[doc] < 0) keys[doc] = DEAD_KEY;
    }
    return this.base.toBytes(keys);
  }

  /** Bytes held: the base's typed arrays, the per-document arrays, and an estimate for the delta's Map. */
  /** True when the slot's text is in the index (a snapshot loaded by `fromBytes` holds only the chunks it knew). */
  holds(slot: number): boolean {
    return slot < this.docOfSlot.length && this.docOfSlot[slot] >= 0;
  }

  memoryBytes(): number {
    const perDoc = [this.slotOfDoc, this.docOfSlot, this.scores, this.touched, this.matchedTerm, this.matchedMass];
    return this.base.byteSize() + this.deltas.reduce((sum, delta) => sum + delta.byteSize(), 0) +
      perDoc.reduce((sum, array) => sum + array.byteLength, 0) + this.baseDeadCounts.size * 32;
  }

  private idfOf(df: number): number {
    return Math.log(1 + (this.live - df + 0.5) / (df + 0.5));
  }

  private resolve(term: string): TermRef {
    const bytes = Buffer.from(term, 'utf8');
    const baseId = this.base.termCount === 0 ? -1 : this.base.find(bytes, termHash(bytes));
    return { baseId, delta: this.deltas.map((delta) => delta.terms.get(term)) };
  }

  /** Live documents holding the term in `field`, over all tiers. */
  private df(ref: TermRef, field: number): number {
    let df = ref.baseId >= 0 ? this.baseLiveDf(ref.baseId, field) : 0;
    for (const entry of ref.delta) df += entry?.[field]?.df ?? 0;
    return df;
  }

  private baseLiveDf(id: number, field: number): number {
    this.base.locate(id, field);
    const df = this.base.spanDf;
    if (df === 0 || this.baseDead === 0) return df;
    const key = id * FIELD_COUNT + field;
    let dead = this.baseDeadCounts.get(key);
    if (dead === undefined) {
      dead = 0;
      const cursor = new VarintCursor(this.base.postings, this.base.spanStart);
      let doc = 0;
      while (cursor.pos < this.base.spanEnd) {
        const code = cursor.next();
        doc += Math.floor(code / 2);
        if (code % 2 === 0) cursor.next();
        if (this.slotOfDoc[doc] < 0) dead++;
      }
      this.baseDeadCounts.set(key, dead);
    }
    return df - dead;
  }

  /** A base document holding `terms` in `field` was removed: the dead counts already kept for them grow by one. */
  private countBaseRemoval(field: number, terms: string[]): void {
    for (const term of terms) {
      const bytes = Buffer.from(term, 'utf8');
      const key = this.base.find(bytes, termHash(bytes)) * FIELD_COUNT + field;
      const dead = this.baseDeadCounts.get(key);
      if (dead !== undefined) this.baseDeadCounts.set(key, dead + 1);
    }
  }

  private fitAccumulators(): void {
    if (this.scores.length >= this.nextDoc) return;
    const size = Math.max(1024, Math.ceil(this.nextDoc * 1.25));
    this.scores = new Float64Array(size);
    this.touched = new Int32Array(size);
    this.matchedTerm = new Int32Array(size);
    this.matchedMass = new Float64Array(size);
  }

  /**
   * Adds one term's base postings in one field to the scores. The varints are decoded inline: through `VarintCursor` this
   * loop, which is most of a search's time, ran ~30 % slower.
   */
  private scoreBase(id: number, field: number, scoring: FieldScoring, touchedCount: number): number {
    const { base, scores, touched, slotOfDoc, matchedTerm, matchedMass } = this;
    const { weight, baseNorm, lengthNorm, stamp, bit, mass, allowed } = scoring;
    base.locate(id, field);
    const bytes = base.postings;
    const end = base.spanEnd;
    const lengths = base.lengths;
    const lengthStart = field * base.docs;
    let p = base.spanStart;
    let doc = 0;
    while (p < end) {
      let byte = bytes[p++];
      let code = byte & 127;
      for (let shift = 7; byte >= 128; shift += 7) {
        byte = bytes[p++];
        code |= (byte & 127) << shift;
      }
      doc += code >>> 1;
      let tf = 1;
      if ((code & 1) === 0) {
        byte = bytes[p++];
        tf = byte & 127;
        for (let shift = 7; byte >= 128; shift += 7) {
          byte = bytes[p++];
          tf |= (byte & 127) << shift;
        }
      }
      const slot = slotOfDoc[doc];
      if (slot < 0 || (allowed && !allowed[slot])) continue;
      if (scores[doc] === 0) {
        touched[touchedCount++] = doc;
        matchedTerm[doc] = 0;
        matchedMass[doc] = 0;
      }
      scores[doc] += (weight * tf) / (tf + baseNorm + lengthNorm * lengths[lengthStart + doc]);
      if (bit !== 0) matchedTerm[doc] |= bit;
      else if (matchedTerm[doc] !== stamp) {
        matchedTerm[doc] = stamp;
        matchedMass[doc] += mass;
      }
    }
    return touchedCount;
  }

  private scoreDelta(delta: KeywordDelta, pairs: Uint32Array, used: number, field: number, scoring: FieldScoring, touchedCount: number): number {
    const { scores, touched, slotOfDoc, matchedTerm, matchedMass } = this;
    const { weight, baseNorm, lengthNorm, stamp, bit, mass, allowed } = scoring;
    for (let i = 0; i < used; i++) {
      const doc = pairs[2 * i];
      const slot = slotOfDoc[doc];
      if (slot < 0 || (allowed && !allowed[slot])) continue;
      const tf = pairs[2 * i + 1];
      if (scores[doc] === 0) {
        touched[touchedCount++] = doc;
        matchedTerm[doc] = 0;
        matchedMass[doc] = 0;
      }
      scores[doc] += (weight * tf) / (tf + baseNorm + lengthNorm * delta.length(doc, field));
      if (bit !== 0) matchedTerm[doc] |= bit;
      else if (matchedTerm[doc] !== stamp) {
        matchedTerm[doc] = stamp;
        matchedMass[doc] += mass;
      }
    }
    return touchedCount;
  }

  private freezeWhenDue(): void {
    if (this.freezing) return;
    const pending = this.deltas[this.deltas.length - 1].docs + this.baseDead;
    if (pending < Math.max(MIN_PENDING_TO_FREEZE, this.base.docs / 10)) return;
    // A failed freeze leaves the tiers as they were, still answering; the next explicit freeze() reports the error.
    this.freeze().catch(() => undefined);
  }

  /** Seals the deltas, merges them with the base (yielding between slices), then swaps the result in at once. */
  private async merge(): Promise<void> {
    const sealed = this.deltas;
    const live = new KeywordDelta(this.nextDoc);
    // Should the merge fail, the tiers stay [...sealed, live]: still whole, and the next merge takes them all.
    this.deltas = [...sealed, live];
    const plan = this.mergePlan(sealed);
    const base = await mergeTiers(plan, () => new Promise((resolve) => setImmediate(resolve)));
    this.swap(base, plan.oldDocOfNew);
  }

  private mergePlan(deltas: KeywordDelta[]): MergePlan {
    const end = this.nextDoc;
    const newDocOfOld = new Int32Array(end).fill(-1);
    const oldDocOfNew = new Int32Array(this.live);
    let next = 0;
    for (let doc = 0; doc < end; doc++) {
      if (this.slotOfDoc[doc] < 0) continue;
      newDocOfOld[doc] = next;
      oldDocOfNew[next++] = doc;
    }
    return { base: this.base, deltas, newDocOfOld, oldDocOfNew };
  }

  /** Puts the merged base in place: documents removed while it was built are dead in it; the live delta carries on. */
  private swap(base: KeywordBase, oldDocOfNew: Int32Array): void {
    const live = this.deltas[this.deltas.length - 1];
    const slotOfDoc = new Int32Array(Math.max(1024, live.docs === 0 ? base.docs : this.nextDoc)).fill(-1);
    let dead = 0;
    for (let doc = 0; doc < base.docs; doc++) {
      const slot = this.slotOfDoc[oldDocOfNew[doc]];
      slotOfDoc[doc] = slot;
      if (slot >= 0) this.docOfSlot[slot] = doc;
      else dead++;
    }
    if (live.docs === 0) {
      this.deltas = [new KeywordDelta(base.docs)];
      this.nextDoc = base.docs;
    } else {
      slotOfDoc.set(this.slotOfDoc.subarray(live.first, this.nextDoc), live.first);
      this.deltas = [live];
    }
    this.slotOfDoc = slotOfDoc;
    this.base = base;
    this.baseDead = dead;
    this.baseDeadCounts = new Map();
  }
}

/** What one term in one field adds to a document's score and matched mass. */
interface FieldScoring {
  weight: number;
  baseNorm: number;
  lengthNorm: number;
  /** The query term's index + 1. */
  stamp: number;
  /** The query term's bit (1 << index) when the query has at most MAX_BIT_TERMS terms, else 0 (then `stamp` is used). */
  bit: number;
  mass: number;
  allowed: Uint8Array | undefined;
}

/** The idf mass of the terms whose bits are set, added in term order (as the stamps add it for a long query). */
function massOfBits(bits: number, masses: number[]): number {
  let sum = 0;
  for (let t = 0; t < masses.length; t++) if (bits & (1 << t)) sum += masses[t];
  return sum;
}
