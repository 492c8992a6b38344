// Watches the raw bytes of a connection for frames no client would send: vscode-jsonrpc would otherwise buffer a
// message of any announced Content-Length, so a garbage header could make the daemon hold gigabytes.

/** Requests are small (a search, a list of paths); anything larger is a broken or hostile client. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
const MAX_HEADER_BYTES = 8 * 1024;
const HEADER_END = Buffer.from('\r\n\r\n');

/** Returns a `data` listener that calls `onViolation` once with a one-line reason when a frame is out of bounds. */
export function createFrameGuard(onViolation: (reason: string) => void): (chunk: Buffer) => void {
  let header = Buffer.alloc(0);
  let bodyLeft = 0;
  let violated = false;
  const violate = (reason: string) => {
    if (!violated) onViolation(reason);
    violated = true;
  };
  return (chunk) => {
    let data = chunk;
    while (!violated && data.length > 0) {
      if (bodyLeft > 0) {
        const taken = Math.min(bodyLeft, data.length);
        bodyLeft -= taken;
        data = data.subarray(taken);
        continue;
      }
      header = Buffer.concat([header, data]);
      data = Buffer.alloc(0);
      const end = header.indexOf(HEADER_END);
      if (end < 0) {
        if (header.length > MAX_HEADER_BYTES) violate(`header longer than ${MAX_HEADER_BYTES} bytes`);
        return;
      }
      const length = /content-length:\s*(\d+)/i.exec(header.subarray(0, end).toString('ascii'))?.[1];
      // A header without a length is left for vscode-jsonrpc to reject.
      if (length === undefined) return;
      if (Number(length) > MAX_MESSAGE_BYTES) violate(`Content-Length ${length} exceeds ${MAX_MESSAGE_BYTES} bytes`);
      bodyLeft = Number(length);
      data = header.subarray(end + HEADER_END.length);
      header = Buffer.alloc(0);
    }
  };
}
