// The growing tier of the keyword index: documents added since the last freeze, in a Map from term to flat postings
// (document, term frequency) per field. Quick to add to and a few hundred bytes per distinct term, so it stays small:
// the index folds it into its frozen base (`keyword-merge.ts`) once it holds 10 % of the base's documents.
import { FIELD_COUNT } from './keyword-base';

/** A term's postings in one field: `pairs[2i]` a document number, `pairs[2i + 1]` its term frequency. */
export interface Postings {
  pairs: Uint32Array;
  used: number;
  /** Live documents holding the term. */
  df: number;
}

/** A term's postings per field (content, symbol, path); undefined where no document of this tier holds it. */
export type DeltaTerm = (Postings | undefined)[];

/** Rough V8 cost of a Map entry, its key string, the per-field array and a Postings object with its typed array. */
const BYTES_PER_TERM = 200;

export class KeywordDelta {
  readonly terms = new Map<string, DeltaTerm>();
  /** Documents added, dead ones included; they are numbered `first`, `first + 1`, … */
  docs = 0;
  keys: Uint32Array = new Uint32Array(64);
  /** `lengths[FIELD_COUNT * (doc - first) + field]`. */
  lengths: Uint32Array = new Uint32Array(64 * FIELD_COUNT);
  /** Bytes of all postings' typed arrays. */
  pairBytes = 0;

  constructor(readonly first: number) {}

  holds(doc: number): boolean {
    return doc >= this.first && doc < this.first + this.docs;
  }

  length(doc: number, field: number): number {
    return this.lengths[FIELD_COUNT * (doc - this.first) + field];
  }

  /** Adds document `first + docs` with each field's term counts and lengths. */
  add(key: number, counts: Map<string, number>[], lengths: number[]): number {
    const doc = this.first + this.docs;
    if (this.docs === this.keys.length) {
      this.keys = grown(this.keys);
      this.lengths = grown(this.lengths);
    }
    this.keys[this.docs] = key;
    for (let field = 0; field < FIELD_COUNT; field++) {
      this.lengths[FIELD_COUNT * this.docs + field] = lengths[field];
      for (const [term, tf] of counts[field]) this.append(term, field, doc, tf);
    }
    this.docs++;
    return doc;
  }

  /** One fewer live document holds each of `terms` in `field`. */
  forget(field: number, terms: string[]): void {
    for (const term of terms) {
      const postings = this.terms.get(term)?.[field];
      if (postings) postings.df--;
    }
  }

  byteSize(): number {
    return this.terms.size * BYTES_PER_TERM + this.pairBytes + this.keys.byteLength + this.lengths.byteLength;
  }

  private append(term: string, field: number, doc: number, tf: number): void {
    let entry = this.terms.get(term);
    if (!entry) this.terms.set(term, (entry = [undefined, undefined, undefined]));
    let postings = entry[field];
    if (!postings) {
      entry[field] = postings = { pairs: new Uint32Array(2), used: 0, df: 0 };
      this.pairBytes += postings.pairs.byteLength;
    }
    if (2 * postings.used === postings.pairs.length) {
      this.pairBytes += postings.pairs.byteLength;
      postings.pairs = grown(postings.pairs);
    }
    postings.pairs[2 * postings.used] = doc;
    postings.pairs[2 * postings.used + 1] = tf;
    postings.used++;
    postings.df++;
  }
}

function grown(array: Uint32Array): Uint32Array {
  const bigger = new Uint32Array(array.length * 2);
  bigger.set(array);
  return bigger;
}
