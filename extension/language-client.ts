// Builds the LanguageClient whose "server" is the shared per-user daemon: each start finds (or starts) the daemon and
// connects to its socket. We are not a language server for documents, so there is no document selector.
import * as vscode from 'vscode';
import { CloseAction, ErrorAction, LanguageClient, type ErrorHandler, type StreamInfo } from 'vscode-languageclient/node';
import { CLIENT_VERSION, ensureDaemon, openSocket, type ClientOptions } from '../daemon/client';
import { PROTOCOL_VERSION, type HandshakeOptions } from '../daemon/protocol';

/** How this window reaches the daemon: VS Code's own Node runs it (Electron needs ELECTRON_RUN_AS_NODE). */
export function daemonClientOptions(notify: (message: string) => void): ClientOptions {
  return {
    client: 'vscode',
    nodePath: process.execPath,
    env: process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {},
    notify,
  };
}

export function createLanguageClient(
  log: vscode.LogOutputChannel,
  notify: (message: string) => void,
  onClosed: () => Promise<CloseAction>,
): LanguageClient {
  const serverOptions = async (): Promise<StreamInfo> => {
    const { socket, daemonVersion, handshake } = await ensureDaemon(daemonClientOptions(notify));
    log.info(`daemon ${daemonVersion} (pid ${handshake.pid}) on ${socket}`);
    const stream = await openSocket(socket);
    return { reader: stream, writer: stream };
  };
  const handshake: HandshakeOptions = { client: 'vscode', version: CLIENT_VERSION, protocol: PROTOCOL_VERSION };
  const errorHandler: ErrorHandler = {
    // A socket error (ECONNRESET when the daemon dies) is followed by `closed`, which restarts or reports it; the client's
    // own "connection to server is erroring" pop-up would only repeat that, so it goes to the log.
    error: () => ({ action: ErrorAction.Continue, handled: true }),
    closed: async () => ({ action: await onClosed(), handled: true }),
  };
  return new LanguageClient('ccc', 'ccc', serverOptions, {
    documentSelector: [],
    initializationOptions: handshake,
    outputChannel: log,
    errorHandler,
  });
}
