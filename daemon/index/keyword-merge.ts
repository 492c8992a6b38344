// Folds the keyword index's delta into its frozen base: a new base with the documents still live renumbered densely
// (base documents first, then the delta's, both in order, so every postings list stays sorted), terms no live document
// holds dropped, and a new hash table. It works in slices of a few milliseconds and yields to the event loop between
// them; the tiers it reads are never changed meanwhile (removals only mark documents dead), so searches keep answering
// from them until the caller swaps the result in.
import { FIELD_COUNT, KeywordBase, VarintCursor, termHash, termTable } from './keyword-base';
import type { DeltaTerm, KeywordDelta } from './keyword-delta';

/** Longest stretch of work between two yields to the event loop. */
const SLICE_MS = 8;

export interface MergePlan {
  base: KeywordBase;
  /** In document order: each one's documents are numbered after the previous one's. */
  deltas: KeywordDelta[];
  /** Old document number (base, then deltas) → its number in the new base, or -1 when it is dropped. */
  newDocOfOld: Int32Array;
  /** New document number → old. */
  oldDocOfNew: Int32Array;
}

/** The merged base; `onSlice` is awaited between slices (the event loop's turn). */
export async function mergeTiers(plan: MergePlan, onSlice: () => Promise<void>): Promise<KeywordBase> {
  const clock = new SliceClock(onSlice);
  const { base, deltas } = plan;
  const docs = plan.oldDocOfNew.length;
  const keys = new Uint32Array(docs);
  const lengths = new Uint32Array(FIELD_COUNT * docs);
  let delta = deltas[0];
  for (let doc = 0; doc < docs; doc++) {
    const old = plan.oldDocOfNew[doc];
    if (old < base.docs) {
      keys[doc] = base.keys[old];
      for (let f = 0; f < FIELD_COUNT; f++) lengths[f * docs + doc] = base.lengths[f * base.docs + old];
    } else {
      while (!delta.holds(old)) delta = deltas[deltas.indexOf(delta) + 1];
      keys[doc] = delta.keys[old - delta.first];
      for (let f = 0; f < FIELD_COUNT; f++) lengths[f * docs + doc] = delta.length(old, f);
    }
    if ((doc & 4095) === 0) await clock.tick();
  }

  // The deltas' terms the base already has join its postings; the others follow as new terms.
  const deltaOfBase = new Map<number, DeltaTerm[]>();
  const newTerms = new Map<string, { bytes: Uint8Array; entries: DeltaTerm[] }>();
  let seen = 0;
  for (const tier of deltas) {
    for (const [term, entry] of tier.terms) {
      const known = newTerms.get(term);
      if (known) known.entries.push(entry);
      else {
        const bytes = Buffer.from(term, 'utf8');
        const id = base.termCount === 0 ? -1 : base.find(bytes, termHash(bytes));
        if (id < 0) newTerms.set(term, { bytes, entries: [entry] });
        else deltaOfBase.set(id, [...(deltaOfBase.get(id) ?? []), entry]);
      }
      if ((++seen & 1023) === 0) await clock.tick();
    }
  }

  // Sized so the buffers rarely grow while writing: a delta posting takes 8 bytes in memory, 1–4 encoded.
  const pairBytes = deltas.reduce((sum, tier) => sum + tier.pairBytes, 0);
  let newTermBytes = 0;
  for (const { bytes } of newTerms.values()) newTermBytes += bytes.length;
  const out = new TermWriter(base.postings.length + pairBytes + 6 * 5 * newTerms.size, base.termText.length + newTermBytes,
    base.termCount + newTerms.size, plan);
  for (let id = 0; id < base.termCount; id++) {
    out.term(base.termText, base.termTextStart[id], base.termTextStart[id + 1], id, deltaOfBase.get(id));
    if ((id & 1023) === 0) await clock.tick();
  }
  for (const { bytes, entries } of newTerms.values()) {
    out.term(bytes, 0, bytes.length, -1, entries);
    if ((++seen & 1023) === 0) await clock.tick();
  }
  await clock.tick();
  const table = termTable(out.hashes, out.terms);
  return new KeywordBase(docs, keys, lengths, out.text.written(), out.textStart.subarray(0, out.terms + 1),
    out.postStart.subarray(0, out.terms + 1), table, out.postings.written());
}

class SliceClock {
  private sliceStart = performance.now();

  constructor(private readonly onSlice: () => Promise<void>) {}

  async tick(): Promise<void> {
    if (performance.now() - this.sliceStart < SLICE_MS) return;
    await this.onSlice();
    this.sliceStart = performance.now();
  }
}

/** The new base's term dictionary and postings as they are written. */
class TermWriter {
  terms = 0;
  readonly text: ByteWriter;
  readonly postings: ByteWriter;
  textStart: Uint32Array;
  postStart: Uint32Array;
  hashes: Uint32Array;
  /** One term's pairs per field, before its header (which holds their byte lengths) can be written. */
  private readonly fieldPairs = [new ByteWriter(256), new ByteWriter(64), new ByteWriter(64)];
  private readonly df = [0, 0, 0];
  /** No base document is dropped, so base documents keep their numbers and base postings are copied as they are. */
  private readonly baseIntact: boolean;

  constructor(postingBytes: number, textBytes: number, terms: number, private readonly plan: MergePlan) {
    const lastBaseDoc = plan.base.docs - 1;
    this.baseIntact = lastBaseDoc < 0 || plan.newDocOfOld[lastBaseDoc] === lastBaseDoc;
    this.text = new ByteWriter(textBytes);
    this.postings = new ByteWriter(postingBytes);
    this.textStart = new Uint32Array(terms + 1);
    this.postStart = new Uint32Array(terms + 1);
    this.hashes = new Uint32Array(terms);
  }

  /** Writes the term `text[start, end)`: base term `baseId`'s live postings (if any), then the deltas'. */
  term(text: Uint8Array, start: number, end: number, baseId: number, entries: DeltaTerm[] = []): void {
    const { plan } = this;
    if (baseId >= 0 && this.baseIntact && entries.length === 0) {
      const base = plan.base;
      this.postings.append(base.postings, base.termPostStart[baseId], base.termPostStart[baseId + 1]);
      this.endTerm(text, start, end);
      return;
    }
    let any = false;
    for (let f = 0; f < FIELD_COUNT; f++) {
      const pairs = this.fieldPairs[f];
      pairs.length = 0;
      this.df[f] = 0;
      let last = baseId >= 0 ? this.copyBasePostings(baseId, f) : -1;
      for (const entry of entries) {
        const postings = entry[f];
        if (postings) last = this.copyDeltaPostings(postings.pairs, postings.used, f, last);
      }
      any ||= this.df[f] > 0;
    }
    if (!any) return;
    for (let f = 0; f < FIELD_COUNT; f++) {
      this.postings.varint(this.df[f]);
      this.postings.varint(this.fieldPairs[f].length);
    }
    for (const pairs of this.fieldPairs) this.postings.append(pairs.bytes, 0, pairs.length);
    this.endTerm(text, start, end);
  }

  /** Records the term whose postings were just written. */
  private endTerm(text: Uint8Array, start: number, end: number): void {
    const id = this.terms++;
    this.hashes[id] = termHash(text, start, end);
    this.text.append(text, start, end);
    this.textStart[id + 1] = this.text.length;
    if (this.postings.length > 0xffffffff) throw new Error('keyword index: postings exceed 4 GiB; split the project');
    this.postStart[id + 1] = this.postings.length;
  }

  /** Re-encodes the live base postings of one term and field with new document numbers; returns the last one, or -1. */
  private copyBasePostings(id: number, field: number): number {
    const { base, newDocOfOld } = this.plan;
    base.locate(id, field);
    const out = this.fieldPairs[field];
    const cursor = new VarintCursor(base.postings, base.spanStart);
    const end = base.spanEnd;
    let oldDoc = 0;
    let last = -1;
    if (this.baseIntact && base.spanDf > 0) {
      out.append(base.postings, base.spanStart, end);
      while (cursor.pos < end) {
        const code = cursor.next();
        oldDoc += Math.floor(code / 2);
        if (code % 2 === 0) cursor.next();
      }
      this.df[field] += base.spanDf;
      return oldDoc;
    }
    while (cursor.pos < end) {
      const code = cursor.next();
      oldDoc += Math.floor(code / 2);
      const tf = code % 2 === 1 ? 1 : cursor.next();
      const doc = newDocOfOld[oldDoc];
      if (doc < 0) continue;
      out.pair(doc - (last < 0 ? 0 : last), tf);
      last = doc;
      this.df[field]++;
    }
    return last;
  }

  /** Appends one delta's live postings after document `previous` (-1: none yet); returns the last one. */
  private copyDeltaPostings(pairs: Uint32Array, used: number, field: number, previous: number): number {
    const { newDocOfOld } = this.plan;
    const out = this.fieldPairs[field];
    let last = previous;
    for (let i = 0; i < used; i++) {
      const doc = newDocOfOld[pairs[2 * i]];
      if (doc < 0) continue;
      out.pair(doc - (last < 0 ? 0 : last), pairs[2 * i + 1]);
      last = doc;
      this.df[field]++;
    }
    return last;
  }
}

/** A growable byte buffer with varint writes. */
class ByteWriter {
  length = 0;
  bytes: Uint8Array;

  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity);
  }

  /** One posting: `gap * 2 + 1` when tf is 1, else `gap * 2` and tf. */
  pair(gap: number, tf: number): void {
    if (tf === 1) this.varint(gap * 2 + 1);
    else {
      this.varint(gap * 2);
      this.varint(tf);
    }
  }

  varint(value: number): void {
    if (this.length + 10 > this.bytes.length) this.grow(10);
    let v = value;
    while (v >= 128) {
      this.bytes[this.length++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    this.bytes[this.length++] = v;
  }

  /** The bytes written; a copy only when a quarter of the buffer would be wasted. */
  written(): Uint8Array {
    return this.length * 4 >= this.bytes.length * 3 ? this.bytes.subarray(0, this.length) : this.bytes.slice(0, this.length);
  }

  append(source: Uint8Array, start: number, end: number): void {
    if (this.length + end - start > this.bytes.length) this.grow(end - start);
    this.bytes.set(source.subarray(start, end), this.length);
    this.length += end - start;
  }

  private grow(extra: number): void {
    const bigger = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra));
    bigger.set(this.bytes.subarray(0, this.length));
    this.bytes = bigger;
  }
}
