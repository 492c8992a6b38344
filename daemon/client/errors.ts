/** A failure to reach or start the daemon; the message is one line that says what to do. */
export class DaemonError extends Error {
  override name = 'DaemonError';
}
