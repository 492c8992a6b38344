import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { StreamMessageReader } from 'vscode-jsonrpc/node';
import { SocketMessageReader } from './message-reader';

const timers = () => process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Feeds half a frame to a reader, then the peer hangs up; returns the timers still armed a while later. */
async function timersLeftAfterPartialFrame(makeReader: (socket: Socket) => StreamMessageReader): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'ccc-reader-'));
  const path = join(dir, 's.sock');
  const server = createServer((peer) => peer.end('Content-Length: 100\r\n\r\n{"jsonrpc":'));
  await new Promise<void>((resolve) => server.listen(path, resolve));
  const before = timers();
  const socket = connect(path);
  const reader = makeReader(socket);
  reader.partialMessageTimeout = 30;
  reader.listen(() => {});
  await new Promise((resolve) => socket.on('close', resolve));
  await sleep(200);
  const left = timers() - before;
  // Lets a leaking reader's timer run out too, so this test file can exit.
  reader.partialMessageTimeout = 0;
  await sleep(60);
  server.close();
  rmSync(dir, { recursive: true, force: true });
  return left;
}

test('after a peer hangs up mid-frame, the reader stops its partial-message timer', async () => {
  assert.equal(await timersLeftAfterPartialFrame((socket) => new StreamMessageReader(socket)), 1, 'vscode-jsonrpc alone keeps re-arming it');
  assert.equal(await timersLeftAfterPartialFrame((socket) => new SocketMessageReader(socket)), 0);
});
