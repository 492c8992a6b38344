// One client's connection: JSON-RPC over its socket, the handshake, and LSP's shutdown/exit meaning "end this
// connection only". Built on vscode-jsonrpc directly: vscode-languageserver's createConnection would exit the process.
import type { Socket } from 'node:net';
import { createMessageConnection, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { ExitNotification, InitializeRequest, ShutdownRequest } from 'vscode-languageserver-protocol';
import type { Logger } from '../log';
import { SocketMessageReader } from '../message-reader';
import type { ClientKind, DaemonHandshake, HandshakeOptions } from '../protocol';
import { createFrameGuard } from './frame-guard';

export interface ServerIdentity {
  version: string;
  handshake: DaemonHandshake;
}

let nextId = 1;

/** A client that stops reading its replies is dropped before the daemon's memory fills with them. */
const MAX_UNSENT_BYTES = 64 * 1024 * 1024;
const MAX_QUEUED_REPLIES = 256;

export class ClientConnection {
  readonly id = nextId++;
  readonly connection: MessageConnection;
  kind: ClientKind | 'unknown' = 'unknown';
  clientVersion = '';
  private closed = false;

  constructor(
    private readonly socket: Socket,
    identity: ServerIdentity,
    private readonly log: Logger,
    private readonly onClosed: (client: ClientConnection) => void,
  ) {
    socket.on('data', createFrameGuard((reason) => this.drop(reason)));
    socket.on('error', (error) => log.debug(`${this.label} socket error: ${error.message}`));
    socket.on('close', () => this.finish());
    this.connection = createMessageConnection(new SocketMessageReader(socket), this.boundedWriter());
    this.connection.onError(([error]) => this.drop(`unreadable message: ${error.message.split('\n')[0]}`));
    this.connection.onClose(() => this.finish());
    this.connection.onRequest(InitializeRequest.type, (params) => {
      const options = (params.initializationOptions ?? {}) as Partial<HandshakeOptions>;
      this.kind = options.client ?? 'unknown';
      this.clientVersion = options.version ?? '';
      log.info(`${this.label} initialize: client ${this.kind} ${this.clientVersion || '?'}, protocol ${options.protocol ?? '?'}`);
      return {
        capabilities: { experimental: { ccc: identity.handshake } },
        serverInfo: { name: 'ccc', version: identity.version },
      };
    });
    this.connection.onRequest(ShutdownRequest.type, () => {
      log.info(`${this.label} shutdown: ending this connection only`);
    });
    this.connection.onNotification(ExitNotification.type, () => this.end());
  }

  get label(): string {
    return `${this.kind}#${this.id}`;
  }

  listen(): void {
    this.connection.listen();
  }

  /** Ends the connection gracefully: pending replies are flushed first. */
  end(): void {
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 200).unref();
  }

  private boundedWriter(): StreamMessageWriter {
    const writer = new StreamMessageWriter(this.socket);
    const write = writer.write.bind(writer);
    let queued = 0;
    writer.write = async (message) => {
      if (queued >= MAX_QUEUED_REPLIES || this.socket.writableLength > MAX_UNSENT_BYTES) {
        this.drop(`it does not read its replies (${queued} queued, ${this.socket.writableLength} bytes unsent)`);
        return;
      }
      queued++;
      try {
        await write(message);
      } finally {
        queued--;
      }
    };
    return writer;
  }

  private drop(reason: string): void {
    this.log.warn(`${this.label} closed: ${reason}`);
    this.socket.destroy();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.connection.dispose();
    this.onClosed(this);
  }
}
