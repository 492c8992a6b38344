// Okapi BM25 over a chunk's content, symbol and path, with real term frequencies and length normalisation.
// Postings are flat Uint32Array pairs (document, term frequency) per term and field: a few bytes per occurrence, and the
// scoring loop reads them without allocating. Documents are numbered in insertion order; removing one only marks it dead,
// and the postings are rewritten without the dead ones once they make up half the index (a slot reused by a new chunk gets
// a new number, so a stale posting can never score it).
import { codeTermCounts, codeTokens } from './code-tokenizer';
import type { Scored } from './fusion';
import { grownArray } from './grown-array';
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

/** A term's postings in one field: `pairs[2i]` a document number, `pairs[2i + 1]` its term frequency. */
interface Postings {
  pairs: Uint32Array;
  /** Pairs in use, dead documents' included. */
  used: number;
  /** Live documents holding the term. */
  df: number;
}

interface Field {
  terms: Map<string, Postings>;
  /** Term occurrences per document number. */
  lengths: Uint32Array;
  totalLength: number;
}

/** Compaction waits for at least this many dead documents, so a small index is not rewritten on every removal. */
const MIN_DEAD_TO_COMPACT = 4096;

export class KeywordIndex {
  private readonly fields: Record<TextField, Field> = { content: newField(), symbol: newField(), path: newField() };
  /** Document number → slot, or -1 once removed. */
  private slotOfDoc: Int32Array = new Int32Array(1024);
  /** Slot → its live document number, or -1. */
  private docOfSlot: Int32Array = new Int32Array(1024).fill(-1);
  private docs = 0;
  private live = 0;
  /** Per-query accumulator by document number, kept zeroed between queries. */
  private scores = new Float64Array(1024);
  private touched = new Int32Array(1024);

  /** Indexes the chunk text under `slot`, which must be free (never added, or removed). */
  add(slot: number, text: TextFields, _key = 0): void {
    const doc = this.docs++;
    if (doc >= this.slotOfDoc.length) {
      this.slotOfDoc = grownArray(this.slotOfDoc, doc);
      for (const name of TEXT_FIELDS) this.fields[name].lengths = grownArray(this.fields[name].lengths, doc);
    }
    if (slot >= this.docOfSlot.length) this.docOfSlot = grownArray(this.docOfSlot, slot, -1);
    this.slotOfDoc[doc] = slot;
    this.docOfSlot[slot] = doc;
    this.live++;
    for (const name of TEXT_FIELDS) {
      const field = this.fields[name];
      const { counts, length } = codeTermCounts(text[name]);
      field.lengths[doc] = length;
      field.totalLength += length;
      for (const [term, tf] of counts) append(field, term, doc, tf);
    }
  }

  /** Forgets the slot's text; `text` is what was added, to keep document frequencies exact. */
  remove(slot: number, text: TextFields): void {
    const doc = slot < this.docOfSlot.length ? this.docOfSlot[slot] : -1;
    if (doc < 0) return;
    this.docOfSlot[slot] = -1;
    this.slotOfDoc[doc] = -1;
    this.live--;
    for (const name of TEXT_FIELDS) {
      const field = this.fields[name];
      field.totalLength -= field.lengths[doc];
      for (const term of codeTokens(text[name])) {
        const postings = field.terms.get(term);
        if (postings) postings.df--;
      }
    }
    const dead = this.docs - this.live;
    if (dead >= MIN_DEAD_TO_COMPACT && dead * 2 >= this.docs) this.compact();
  }

  /**
   * The `wanted` best slots for `query` by BM25, best first; `allowedSlots` (by slot) narrows them. `query` is text, or
   * terms with weights (a long query's identifiers count more than its prose). Each hit also says how much of the query it
   * matched: `matched` is the sum of weight × idf over the query terms it holds (in any field), out of `total`.
   */
  search(query: string | WeightedTerm[], wanted: number, allowedSlots?: Uint8Array): KeywordHits {
    const terms = typeof query === 'string' ? codeTokens(query).map((term) => ({ term, weight: 1 })) : query;
    const total = terms.reduce((sum, { term, weight }) => sum + weight * this.idf(term), 0);
    if (this.live === 0) return { hits: [], total };
    if (this.scores.length < this.docs) {
      this.scores = new Float64Array(this.docs * 2);
      this.touched = new Int32Array(this.docs * 2);
    }
    const { scores, touched, slotOfDoc } = this;
    const { k1, b, boost } = KEYWORD_SCORING;
    let touchedCount = 0;
    for (const { term, weight: termWeight } of terms) {
      for (const name of TEXT_FIELDS) {
        const field = this.fields[name];
        const postings = field.terms.get(term);
        if (!postings || postings.df <= 0) continue;
        const idf = Math.log(1 + (this.live - postings.df + 0.5) / (postings.df + 0.5));
        const weight = termWeight * boost[name] * idf * (k1 + 1);
        const baseNorm = k1 * (1 - b);
        const lengthNorm = (k1 * b) / Math.max(1, field.totalLength / this.live);
        const { pairs, used } = postings;
        const lengths = field.lengths;
        for (let i = 0; i < used; i++) {
          const doc = pairs[2 * i];
          const slot = slotOfDoc[doc];
          if (slot < 0 || (allowedSlots && !allowedSlots[slot])) continue;
          const tf = pairs[2 * i + 1];
          if (scores[doc] === 0) touched[touchedCount++] = doc;
          scores[doc] += (weight * tf) / (tf + baseNorm + lengthNorm * lengths[doc]);

        }
      }
    }
    const top = new TopK(wanted);
    for (let i = 0; i < touchedCount; i++) {
      const doc = touched[i];
      if (scores[doc] > top.floor) top.push(slotOfDoc[doc], scores[doc]);
      scores[doc] = 0;
    }
    // Matched mass for the few hits kept only, by binary search in the postings (sorted by document number): counting it
    // for every posting in the scoring loop made each search ~40 % slower.
    const masses = terms.map(({ term, weight }) => weight * this.idf(term));
    const hits = top.sorted().map((hit) => {
      const doc = this.docOfSlot[hit.slot];
      let matched = 0;
      terms.forEach(({ term }, t) => {
        if (TEXT_FIELDS.some((name) => holds(this.fields[name].terms.get(term), doc))) matched += masses[t];
      });
      return { ...hit, matched };
    });
    return { hits, total };
  }

  holds(slot: number): boolean {
    return slot < this.docOfSlot.length && this.docOfSlot[slot] >= 0;
  }

  memoryBytes(): number {
    return 0;
  }

  async freeze(): Promise<void> {}

  toBytes(): Buffer[] {
    return [];
  }

  static fromBytes(_data: Buffer, _slotOfKey: (key: number) => number): KeywordIndex {
    throw new Error('TEMPORARY');
  }

  /** The idf of a term that one chunk holds: the most a real term can weigh in this index. */
  rarestIdf(): number {
    return Math.log(1 + (this.live - 1 + 0.5) / 1.5);
  }

  /** A term's inverse document frequency (by the field holding it most); a term no chunk holds counts as the rarest. */
  idf(term: string): number {
    const df = Math.max(0, ...TEXT_FIELDS.map((name) => this.fields[name].terms.get(term)?.df ?? 0));
    return Math.log(1 + (this.live - df + 0.5) / (df + 0.5));
  }

  /** Renumbers the live documents densely and drops the dead ones' postings. */
  private compact(): void {
    const newDoc = new Int32Array(this.docs).fill(-1);
    const slotOfDoc = new Int32Array(Math.max(1024, this.live * 2));
    let next = 0;
    for (let doc = 0; doc < this.docs; doc++) {
      const slot = this.slotOfDoc[doc];
      if (slot < 0) continue;
      newDoc[doc] = next;
      slotOfDoc[next] = slot;
      this.docOfSlot[slot] = next;
      next++;
    }
    for (const name of TEXT_FIELDS) {
      const field = this.fields[name];
      const lengths = new Uint32Array(slotOfDoc.length);
      for (let doc = 0; doc < this.docs; doc++) if (newDoc[doc] >= 0) lengths[newDoc[doc]] = field.lengths[doc];
      field.lengths = lengths;
      for (const [term, postings] of field.terms) {
        let kept = 0;
        for (let i = 0; i < postings.used; i++) {
          const doc = newDoc[postings.pairs[2 * i]];
          if (doc < 0) continue;
          postings.pairs[2 * kept] = doc;
          postings.pairs[2 * kept + 1] = postings.pairs[2 * i + 1];
          kept++;
        }
        if (kept === 0) field.terms.delete(term);
        else {
          postings.used = kept;
          if (postings.pairs.length > 4 * kept) postings.pairs = postings.pairs.slice(0, 2 * kept);
        }
      }
    }
    this.slotOfDoc = slotOfDoc;
    this.docs = next;
    this.scores = new Float64Array(Math.max(1024, next));
    this.touched = new Int32Array(Math.max(1024, next));
  }
}

/** True when the postings hold the document (postings are in document order: appended as documents are numbered). */
function holds(postings: Postings | undefined, doc: number): boolean {
  if (!postings || postings.df <= 0) return false;
  let low = 0;
  let high = postings.used - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const value = postings.pairs[2 * mid];
    if (value === doc) return true;
    if (value < doc) low = mid + 1;
    else high = mid - 1;
  }
  return false;
}

function newField(): Field {
  return { terms: new Map(), lengths: new Uint32Array(1024), totalLength: 0 };
}

function append(field: Field, term: string, doc: number, tf: number): void {
  let postings = field.terms.get(term);
  if (!postings) field.terms.set(term, (postings = { pairs: new Uint32Array(2), used: 0, df: 0 }));
  if (2 * postings.used >= postings.pairs.length) {
    const bigger = new Uint32Array(postings.pairs.length * 2);
    bigger.set(postings.pairs);
    postings.pairs = bigger;
  }
  postings.pairs[2 * postings.used] = doc;
  postings.pairs[2 * postings.used + 1] = tf;
  postings.used++;
  postings.df++;
}
