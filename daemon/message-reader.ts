// The JSON-RPC reader every ccc socket uses, shared by the daemon and its clients. It mends a leak in vscode-jsonrpc:
// once part of a message has arrived from a peer that then died or hung up mid-frame, its reader re-arms a 10 s
// "partial message" timer for ever, even after the stream closed and the reader was disposed, holding the half-read
// frame (up to the 16 MB frame limit) and keeping a process that should exit alive.
import { StreamMessageReader } from 'vscode-jsonrpc/node';

export class SocketMessageReader extends StreamMessageReader {
  protected override fireClose(): void {
    super.fireClose();
    // A closed stream never completes the frame. With no timeout the timer is not re-armed: a pending one fires once
    // more, then the reader is let go.
    this.partialMessageTimeout = 0;
  }
}
