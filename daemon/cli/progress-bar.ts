// Index progress on stderr: a redrawn bar when a person watches a terminal, a plain line now and then otherwise
// (CI logs, pipes), so stdout stays free for the result.
import type { IndexProgress } from '../protocol';

export interface ProgressDisplay {
  update(progress: IndexProgress): void;
  done(): void;
}

const BAR_WIDTH = 24;
/** Plain lines at most this often, so a log is not flooded. */
const LINE_INTERVAL_MS = 2000;

export function progressDisplay(stream: NodeJS.WriteStream = process.stderr): ProgressDisplay {
  return stream.isTTY ? barDisplay(stream) : lineDisplay(stream);
}

function describe(progress: IndexProgress): string {
  const percent = Math.max(0, Math.min(100, Math.round(progress.percentage ?? 0)));
  const embedded = progress.counts ? `, ${progress.counts.chunksEmbedded} chunks embedded` : '';
  return `${percent}% ${progress.message ?? ''}${embedded}`;
}

function barDisplay(stream: NodeJS.WriteStream): ProgressDisplay {
  let shown = false;
  return {
    update(progress) {
      if (progress.kind === 'end') return;
      const filled = Math.round(((progress.percentage ?? 0) / 100) * BAR_WIDTH);
      const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
      stream.write(`\r\x1b[2KIndexing ${bar} ${describe(progress)}`.slice(0, (stream.columns || 80) + 5));
      shown = true;
    },
    done() {
      if (shown) stream.write('\r\x1b[2K');
    },
  };
}

function lineDisplay(stream: NodeJS.WriteStream): ProgressDisplay {
  let last = 0;
  return {
    update(progress) {
      const now = Date.now();
      if (progress.kind !== 'report' || now - last < LINE_INTERVAL_MS) return;
      last = now;
      stream.write(`indexing: ${describe(progress)}\n`);
    },
    done() {},
  };
}
