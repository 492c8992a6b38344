// One connection to a running daemon, with the version handshake done.
import { connect as netConnect, type Socket } from 'node:net';
import {
  createMessageConnection, NotificationType, RequestType, StreamMessageWriter, type MessageConnection,
} from 'vscode-jsonrpc/node';
import type { InitializedParams, InitializeError, InitializeParams, InitializeResult } from 'vscode-languageserver-protocol';
import { SocketMessageReader } from '../message-reader';
import { PROTOCOL_VERSION, type ClientKind, type DaemonHandshake, type HandshakeOptions } from '../protocol';
import { DaemonError } from './errors';

const HANDSHAKE_TIMEOUT_MS = 10_000;

// LSP's two handshake messages, declared here by type only: loading vscode-languageserver-protocol for them cost every
// ccc command ~10 ms of start-up.
const InitializeRequest = new RequestType<InitializeParams, InitializeResult, InitializeError>('initialize');
const InitializedNotification = new NotificationType<InitializedParams>('initialized');

export interface DaemonSession {
  connection: MessageConnection;
  daemonVersion: string;
  handshake: DaemonHandshake;
  close(): void;
}

/** Connects to the socket; rejects with the system error (ENOENT, ECONNREFUSED…) when nothing listens. */
export function openSocket(socketPath: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(socketPath);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Connects and handshakes; null when nothing answers on the socket. */
export async function trySession(socketPath: string, client: ClientKind, version: string): Promise<DaemonSession | null> {
  let socket: Socket;
  try {
    socket = await openSocket(socketPath);
  } catch {
    return null;
  }
  socket.on('error', () => {});
  const connection = createMessageConnection(new SocketMessageReader(socket), new StreamMessageWriter(socket));
  connection.listen();
  const close = () => {
    connection.dispose();
    socket.destroy();
  };
  const options: HandshakeOptions = { client, version, protocol: PROTOCOL_VERSION };
  try {
    const reply = await withTimeout(
      connection.sendRequest(InitializeRequest, { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions: options }),
      HANDSHAKE_TIMEOUT_MS,
    );
    const handshake = (reply.capabilities.experimental as { ccc?: DaemonHandshake } | undefined)?.ccc;
    if (!handshake || !reply.serverInfo?.version) throw new DaemonError(`the process on ${socketPath} is not a ccc daemon; stop it or delete the socket`);
    await connection.sendNotification(InitializedNotification, {});
    return { connection, daemonVersion: reply.serverInfo.version, handshake, close };
  } catch (error) {
    close();
    if (error instanceof DaemonError) throw error;
    // The daemon went away mid-handshake (e.g. it is shutting down): as good as nothing answering.
    return null;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error) => (clearTimeout(timer), reject(error)),
    );
  });
}
