// The trained approximate vector index as bytes (`vectors.bin` beside the store's segments), so a restart adopts its lists
// instead of training them again. Slots differ from one start to the next, so each list member is written as its chunk id.
// Layout: magic, u32 version, u32 dimension, u32 nlist, f32 × 2 probe budget, f32 centroids, u32 members, then per member
// u32 chunk id and i32 list; a u32 crc32 of all of it last. Derived data: bad bytes are refused and the lists retrained.
import { crc32 } from 'node:zlib';
import type { IvfState } from './vector-index';

const MAGIC = Buffer.from('CCCIVF01');
const HEAD = MAGIC.length + 12 + 8;

/** `chunkIdOf(slot)` names the chunk in each slot that has a list. */
export function encodeIvf(state: IvfState, dimension: number, chunkIdOf: (slot: number) => number): Buffer {
  const members: number[] = [];
  for (let slot = 0; slot < state.lists.length; slot++) if (state.lists[slot] >= 0) members.push(slot);
  const nlist = state.centroids.length / dimension;
  const data = Buffer.alloc(HEAD + state.centroids.byteLength + 4 + members.length * 8 + 4);
  MAGIC.copy(data, 0);
  let at = MAGIC.length;
  at = data.writeUInt32LE(1, at);
  at = data.writeUInt32LE(dimension, at);
  at = data.writeUInt32LE(nlist, at);
  at = data.writeFloatLE(state.probe[0], at);
  at = data.writeFloatLE(state.probe[1], at);
  at += Buffer.from(state.centroids.buffer, state.centroids.byteOffset, state.centroids.byteLength).copy(data, at);
  at = data.writeUInt32LE(members.length, at);
  for (const slot of members) {
    at = data.writeUInt32LE(chunkIdOf(slot), at);
    at = data.writeInt32LE(state.lists[slot], at);
  }
  data.writeUInt32LE(crc32(data.subarray(0, at)), at);
  return data;
}

/** The state with lists by the current slots (`slotOf(chunkId)`, -1 for a chunk gone since); throws one line on bad bytes. */
export function decodeIvf(data: Buffer, dimension: number, slots: number, slotOf: (chunkId: number) => number): IvfState {
  const fail = (reason: string) => new Error(`vector index snapshot unreadable (${reason}): its lists are trained again`);
  if (data.length < HEAD + 8 || !data.subarray(0, MAGIC.length).equals(MAGIC)) throw fail('not a vector index snapshot');
  if (crc32(data.subarray(0, data.length - 4)) !== data.readUInt32LE(data.length - 4)) throw fail('checksum mismatch');
  let at = MAGIC.length;
  if (data.readUInt32LE(at) !== 1) throw fail(`version ${data.readUInt32LE(at)}`);
  if (data.readUInt32LE(at + 4) !== dimension) throw fail(`${data.readUInt32LE(at + 4)}-d, the index is ${dimension}-d`);
  const nlist = data.readUInt32LE(at + 8);
  at += 12;
  const probe = Float32Array.of(data.readFloatLE(at), data.readFloatLE(at + 4));
  at += 8;
  const centroidBytes = nlist * dimension * 4;
  const members = data.readUInt32LE(at + centroidBytes);
  if (HEAD + centroidBytes + 4 + members * 8 + 4 !== data.length) throw fail('its length does not match its counts');
  const centroids = new Float32Array(nlist * dimension);
  new Uint8Array(centroids.buffer).set(data.subarray(at, at + centroidBytes));
  at += centroidBytes + 4;
  const lists = new Int32Array(slots).fill(-1);
  for (let i = 0; i < members; i++, at += 8) {
    const slot = slotOf(data.readUInt32LE(at));
    if (slot >= 0 && slot < slots) lists[slot] = data.readInt32LE(at + 4);
  }
  return { centroids, lists, probe };
}
