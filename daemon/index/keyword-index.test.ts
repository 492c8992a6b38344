// The keyword index's two tiers and its snapshot, on real source text (node_modules files cut into 30-line chunks): a
// frozen base, a base loaded from bytes and a delta must rank exactly alike, through removals, re-adds and freezes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { test } from 'node:test';
import { listSources } from '../../test/bench/source-corpus';
import { KEYWORD_FORMAT_VERSION } from './keyword-base';
import { KeywordIndex, type KeywordHits, type TextFields, type WeightedTerm } from './keyword-index';

const LINES_PER_CHUNK = 30;

/** Chunks of real JavaScript and TypeScript: content, the first declared name as symbol, the package path. */
function realChunks(files: number): TextFields[] {
  const chunks: TextFields[] = [];
  for (const file of listSources(files)) {
    const lines = readFileSync(file, 'utf8').split('\n');
    const path = relative(__dirname, file);
    for (let start = 0; start < lines.length; start += LINES_PER_CHUNK) {
      const content = lines.slice(start, start + LINES_PER_CHUNK).join('\n');
      const symbol = /(?:function|class|const|let)\s+([A-Za-z_$][\w$]*)/.exec(content)?.[1] ?? '';
      chunks.push({ content, symbol, path });
    }
  }
  return chunks;
}

const chunks = realChunks(250);

/** Identifiers, words and sentences drawn from the corpus, some absent terms, and a long weighted query. */
const queries: (string | WeightedTerm[])[] = [
  'function', 'require', 'module.exports', 'readFileSync', 'Buffer.from', 'hasOwnProperty', 'prototype',
  'parse json config', 'create a new error with a message', 'resolve the promise when the stream ends',
  'http request headers', 'encode utf8 string to bytes', 'throw TypeError', 'callback(err)', 'Object.defineProperty',
  'isArray length', 'zzqx unheardofterm', 'options default value', 'async await',
  [
    { term: 'promise', weight: 1 }, { term: 'resolve', weight: 1 }, { term: 'reject', weight: 0.6 },
    { term: 'error', weight: 0.3 }, { term: 'then', weight: 0.3 }, { term: 'catch', weight: 0.3 },
    { term: 'callback', weight: 0.3 }, { term: 'value', weight: 0.3 }, { term: 'nosuchterm', weight: 1 },
  ],
];

/** Every query, with and without a mask of allowed slots, asking for every hit and for the top 10. */
function assertSameRanking(actual: KeywordIndex, expected: KeywordIndex, slots: number, label: string): void {
  const mask = new Uint8Array(slots).map((_, slot) => (slot % 3 === 0 ? 1 : 0));
  let hits = 0;
  for (const query of queries) {
    for (const allowed of [undefined, mask]) {
      for (const wanted of [10, 1_000_000]) {
        const name = `${label}: ${JSON.stringify(query).slice(0, 60)}${allowed ? ' (masked)' : ''} top ${wanted}`;
        const a = actual.search(query, wanted, allowed);
        const e = expected.search(query, wanted, allowed);
        assertSameHits(a, e, wanted === 10, name);
        hits += a.hits.length;
      }
    }
  }
  assert.ok(hits > 2_000, `${label}: the queries find something (${hits} hits)`);
}

/** Same total, same hits with the same scores and matched mass; ties may come in another order when docs were renumbered. */
function assertSameHits(actual: KeywordHits, expected: KeywordHits, scoresOnly: boolean, name: string): void {
  assert.ok(Math.abs(actual.total - expected.total) < 1e-9, `${name}: total ${actual.total} vs ${expected.total}`);
  assert.equal(actual.hits.length, expected.hits.length, `${name}: hit count`);
  const order = (hits: KeywordHits['hits']) => [...hits].sort((x, y) => y.score - x.score || x.slot - y.slot);
  const a = scoresOnly ? actual.hits : order(actual.hits);
  const e = scoresOnly ? expected.hits : order(expected.hits);
  a.forEach((hit, i) => {
    assert.ok(Math.abs(hit.score - e[i].score) < 1e-9, `${name}: score #${i} ${hit.score} vs ${e[i].score}`);
    if (scoresOnly) return;
    assert.equal(hit.slot, e[i].slot, `${name}: slot #${i}`);
    assert.ok(Math.abs(hit.matched - e[i].matched) < 1e-9, `${name}: matched #${i} ${hit.matched} vs ${e[i].matched}`);
  });
}

function indexOf(texts: Map<number, TextFields>, keyOf: (slot: number) => number = (slot) => slot): KeywordIndex {
  const index = new KeywordIndex();
  for (const [slot, text] of texts) index.add(slot, text, keyOf(slot));
  return index;
}

function snapshot(index: KeywordIndex): Buffer {
  return Buffer.concat(index.toBytes());
}

test('postings loaded from bytes rank exactly as postings built from text', async () => {
  const texts = new Map(chunks.map((text, slot) => [slot, text]));
  const built = indexOf(texts, (slot) => 1000 + slot);
  const fromText = indexOf(texts, (slot) => 1000 + slot);
  await built.freeze();
  const loaded = KeywordIndex.fromBytes(snapshot(built), (key) => key - 1000);
  assertSameRanking(built, fromText, chunks.length, 'frozen');
  assertSameRanking(loaded, fromText, chunks.length, 'loaded');
  for (const term of ['function', 'readfilesync', 'zzqx']) assert.equal(loaded.idf(term), fromText.idf(term), `idf(${term})`);
  assert.equal(loaded.rarestIdf(), fromText.rarestIdf());
  assert.ok(built.memoryBytes() < fromText.memoryBytes() / 2, `frozen ${built.memoryBytes()} B vs delta ${fromText.memoryBytes()} B`);
});

test('after removals, re-adds and freezes, every tier scores like a fresh index of the surviving texts', async () => {
  const texts = new Map(chunks.map((text, slot) => [slot, text]));
  const index = indexOf(texts);
  await index.freeze();
  let key = chunks.length;
  const keyOfSlot = new Map([...texts.keys()].map((slot) => [slot, slot]));
  const edit = (slot: number, text: TextFields) => {
    index.remove(slot, texts.get(slot)!);
    texts.set(slot, text);
    keyOfSlot.set(slot, key);
    index.add(slot, text, key++);
  };
  // Base documents removed for good, and others replaced by another chunk's text under the same slot (a file re-indexed).
  for (let slot = 0; slot < chunks.length; slot += 7) {
    index.remove(slot, texts.get(slot)!);
    texts.delete(slot);
  }
  for (let slot = 3; slot < chunks.length; slot += 11) edit(slot, chunks[(slot * 13) % chunks.length]);
  // A delta document removed, another replaced.
  index.remove(3, texts.get(3)!);
  texts.delete(3);
  edit(14, { content: 'function renamedWidget() { return readFileSync(path); }', symbol: 'renamedWidget', path: 'a/renamed.ts' });
  assertSameRanking(index, indexOf(texts), chunks.length, 'base + delta');

  // Removals while a freeze runs land in the new base as dead documents.
  const freezing = index.freeze();
  for (let slot = 1; slot < chunks.length; slot += 5) {
    if (!texts.has(slot)) continue;
    index.remove(slot, texts.get(slot)!);
    texts.delete(slot);
  }
  edit(2, chunks[5]);
  await freezing;
  assertSameRanking(index, indexOf(texts), chunks.length, 'frozen with removals during the freeze');
  await index.freeze();
  assertSameRanking(index, indexOf(texts), chunks.length, 'frozen again');

  // Chunks gone from the store by the time the snapshot loads are dead from the start.
  const gone = new Set([...texts.keys()].filter((slot) => slot % 4 === 1));
  const slotOfKey = new Map([...keyOfSlot].map(([slot, k]) => [k, slot]));
  const loaded = KeywordIndex.fromBytes(snapshot(index), (k) => {
    const slot = slotOfKey.get(k) ?? -1;
    return gone.has(slot) ? -1 : slot;
  });
  for (const slot of gone) texts.delete(slot);
  assertSameRanking(loaded, indexOf(texts), chunks.length, 'loaded with dead chunks');
  await loaded.freeze();
  assertSameRanking(loaded, indexOf(texts), chunks.length, 'loaded, then frozen');
});

test('a damaged or foreign snapshot is refused with a one-line reason', async () => {
  const index = indexOf(new Map(chunks.slice(0, 300).map((text, slot) => [slot, text])));
  assert.throws(() => index.toBytes(), /not frozen yet; await freeze\(\)/);
  await index.freeze();
  const good = snapshot(index);
  const place = (key: number) => key;
  assert.equal(KeywordIndex.fromBytes(good, place).search('function', 5).hits.length, 5);
  const flipped = Buffer.from(good);
  flipped[Math.floor(good.length * 0.8)] ^= 0x10;
  const versioned = Buffer.from(good);
  versioned.writeUInt32LE(versioned.readUInt32LE(4) + 1, 4);
  const cases: [string, Buffer, RegExp][] = [
    ['truncated', good.subarray(0, good.length - 7), /bytes where its header says/],
    ['a byte flipped', flipped, /checksum mismatch/],
    ['another version', versioned, new RegExp(`format ${KEYWORD_FORMAT_VERSION + 1}, this version reads ${KEYWORD_FORMAT_VERSION}`)],
    ['not a snapshot', Buffer.from('{"chunks": []}'.repeat(4)), /not a keyword index snapshot/],
    ['empty', Buffer.alloc(0), /shorter than its header/],
  ];
  for (const [name, bytes, reason] of cases) {
    assert.throws(() => KeywordIndex.fromBytes(bytes, place), (error: Error) => {
      assert.match(error.message, reason, name);
      assert.match(error.message, /^keyword index snapshot unreadable \(.*\): rebuild it from the chunk text$/, name);
      assert.ok(!error.message.includes('\n'), `${name}: one line`);
      return true;
    });
  }
});

test('freeze yields to the event loop while merging, and searches answer from the old tiers meanwhile', async () => {
  const many = realChunks(800);
  const index = new KeywordIndex();
  many.forEach((text, slot) => index.add(slot, text, slot));
  const before = index.search('resolve the promise', 20);
  let turns = 0;
  let answeredDuring = 0;
  let freezing = true;
  const turn = () => {
    turns++;
    assertSameHits(index.search('resolve the promise', 20), before, true, `search during the freeze, turn ${turns}`);
    answeredDuring++;
    if (freezing) setImmediate(turn);
  };
  setImmediate(turn);
  await index.freeze();
  freezing = false;
  console.log(`# freeze of ${many.length} chunks: ${turns} event-loop turns`);
  assert.ok(turns >= 3, `the event loop ran ${turns} times during the freeze`);
  assert.equal(answeredDuring, turns);
  assertSameHits(index.search('resolve the promise', 20), before, true, 'search after the freeze');
});

test('a search leaves nothing behind for the next: each query ranks alike whatever ran before it', async () => {
  const texts = new Map(chunks.map((text, slot) => [slot, text]));
  const index = indexOf(texts);
  await index.freeze();
  index.add(chunks.length, chunks[0], chunks.length);
  const mask = new Uint8Array(chunks.length + 1).map((_, slot) => (slot % 2 === 0 ? 1 : 0));
  const asked = queries.flatMap((query) => [{ query, allowed: undefined }, { query, allowed: mask }]);
  const first = asked.map(({ query, allowed }) => index.search(query, 1_000_000, allowed));
  // Backwards, so every query follows others than the first time; matched mass carried over from one would show.
  for (let i = asked.length - 1; i >= 0; i--) {
    const again = index.search(asked[i].query, 1_000_000, asked[i].allowed);
    assert.deepEqual(again, first[i], `${JSON.stringify(asked[i].query).slice(0, 60)}${asked[i].allowed ? ' (masked)' : ''}`);
  }
  // A hit holds a share of its query's terms: never more than all of them.
  for (const { hits, total } of first) for (const hit of hits) assert.ok(hit.matched > 0 && hit.matched <= total + 1e-9, `matched ${hit.matched} of ${total}`);
});

test('a query of over 31 terms counts matched mass as a short one does', async () => {
  const texts = new Map(chunks.map((text, slot) => [slot, text]));
  const index = indexOf(texts);
  await index.freeze();
  const words = ['function', 'return', 'value', 'error', 'callback', 'options', 'promise', 'resolve', 'reject', 'buffer',
    'string', 'length', 'object', 'array', 'module', 'exports', 'require', 'prototype', 'undefined', 'null', 'true', 'false',
    'this', 'new', 'throw', 'type', 'name', 'data', 'key', 'result', 'path'];
  const short: WeightedTerm[] = words.map((term, i) => ({ term, weight: i % 3 === 0 ? 1 : 0.3 }));
  assert.equal(short.length, 31);
  // One more term that no chunk holds: it adds to the total, to no hit's score or matched mass.
  const long = [...short, { term: 'zzqxnosuchterm', weight: 1 }];
  const a = index.search(short, 500);
  const b = index.search(long, 500);
  assert.ok(b.total > a.total);
  assert.equal(b.hits.length, a.hits.length);
  assert.ok(a.hits.length > 100);
  b.hits.forEach((hit, i) => {
    assert.equal(hit.slot, a.hits[i].slot);
    assert.equal(hit.score, a.hits[i].score);
    assert.ok(Math.abs(hit.matched - a.hits[i].matched) < 1e-9, `matched ${hit.matched} vs ${a.hits[i].matched}`);
  });
});
