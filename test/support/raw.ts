// A bare JSON-RPC connection to a running daemon, for protocol-level tests.
import { connect, type Socket } from 'node:net';
import { InitializeRequest, type InitializeResult } from 'vscode-languageserver-protocol';
import { createMessageConnection, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { SocketMessageReader } from '../../daemon/message-reader';
import { homePaths } from '../../daemon/paths';
import { DaemonStatusRequest, PROTOCOL_VERSION, type ClientKind, type HandshakeOptions } from '../../daemon/protocol';

export interface RawConnection {
  connection: MessageConnection;
  socket: Socket;
  /** The `initialize` reply, or null when `handshake: false`. */
  initialize: InitializeResult | null;
  close(): void;
}

/** Connects to the daemon of `home` (which must already run); sends `initialize` unless `handshake` is false. */
export async function connectRaw(home: string, options: { client?: ClientKind; version?: string; handshake?: boolean } = {}): Promise<RawConnection> {
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect(homePaths(home).socket);
    s.once('connect', () => resolve(s)).once('error', reject);
  });
  const connection = createMessageConnection(new SocketMessageReader(socket), new StreamMessageWriter(socket));
  connection.listen();
  const close = () => {
    connection.dispose();
    socket.destroy();
  };
  if (options.handshake === false) return { connection, socket, initialize: null, close };
  const handshake: HandshakeOptions = { client: options.client ?? 'vscode', version: options.version ?? '0.1.0', protocol: PROTOCOL_VERSION };
  const initialize = await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: null,
    capabilities: {},
    initializationOptions: handshake,
  });
  return { connection, socket, initialize, close };
}

/** The running daemon's resident memory, asked over the protocol. */
export async function daemonRss(home: string): Promise<number> {
  const raw = await connectRaw(home, { client: 'cli' });
  try {
    return (await raw.connection.sendRequest(DaemonStatusRequest)).rssBytes;
  } finally {
    raw.close();
  }
}
