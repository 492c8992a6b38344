// For benchmarks and evaluations: a daemon on a temp CCC_HOME that has indexed one project, torn down afterwards.
import { rmSync } from 'node:fs';
import { IndexRequest, type IndexResult } from '../../daemon/protocol';
import { runCli } from './cli';
import { makeTempHome } from './home';
import { connectRaw, type RawConnection } from './raw';

export interface IndexedProject {
  home: string;
  raw: RawConnection;
  indexed: IndexResult;
  /** Wall time of the first index pass, seen by the client. */
  indexSeconds: number;
}

/** Starts a daemon, indexes `root`, runs `body`; then stops the daemon and deletes its home and `root`. */
export async function withIndexedProject<T>(root: string, body: (project: IndexedProject) => Promise<T>): Promise<T> {
  const home = makeTempHome('ccc-indexed-');
  try {
    const started = await runCli(['daemon', 'start'], { home: home.dir, cwd: root });
    if (started.code !== 0) throw new Error(`ccc daemon start failed: ${started.stderr.trim()}`);
    const raw = await connectRaw(home.dir, { client: 'cli' });
    try {
      const indexStart = performance.now();
      const indexed = await raw.connection.sendRequest(IndexRequest, { root });
      const indexSeconds = (performance.now() - indexStart) / 1000;
      return await body({ home: home.dir, raw, indexed, indexSeconds });
    } finally {
      raw.close();
    }
  } finally {
    await home.cleanup();
    rmSync(root, { recursive: true, force: true });
  }
}
