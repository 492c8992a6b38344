// npm run bench:daemon — how fast the daemon starts, answers and stops. Needs `npm run build` first.
// Each number is printed beside the baseline it should beat.
import { rmSync } from 'node:fs';
import { connect, stopDaemon, withDaemon } from '../../daemon/client';
import { DaemonStatusRequest, IndexRequest, StopRequest } from '../../daemon/protocol';
import { connectRaw, DAEMON_JS, makeDtsProject, makeTempHome, readPid, runCli, untilIndexing, waitFor } from '../support';

const ROUNDS = 10;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function report(name: string, ms: number, baseline: string): void {
  console.log(`${name.padEnd(46)} ${ms.toFixed(1).padStart(8)} ms   baseline: ${baseline}`);
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

async function main(): Promise<void> {
  const home = makeTempHome('ccc-bench-');
  const options = { client: 'cli' as const, home: home.dir, daemonScript: DAEMON_JS };
  try {
    const cold: number[] = [];
    const stops: number[] = [];
    for (let round = 0; round < 3; round++) {
      cold.push(await timed(async () => (await connect(options)).close()));
      stops.push(await timed(() => stopDaemon(options)));
    }
    report('cold start (spawn → first answer), median of 3', median(cold), 'none published; under 1 s feels instant');
    report('stop (request → pid file gone), median of 3', median(stops), '"well under a second" (issue); cocoindex-code < 1 s');
    report('stop mid-pass (request → pid file gone), median of 3', median(await stopsMidPass(3)), 'well under a second (issue 10)');

    await runCli(['daemon', 'start'], { home: home.dir });
    const cli: number[] = [];
    for (let round = 0; round < ROUNDS; round++) cli.push(await timed(() => runCli(['daemon', 'status'], { home: home.dir })));
    const nodeStartup: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      nodeStartup.push(await timed(() => runCli(['--version'], { home: home.dir })));
    }
    report(`warm \`ccc daemon status\` wall time, median of ${ROUNDS}`, median(cli), 'cocoindex-code warm CLI ~100–160 ms');
    report(`  of which \`ccc --version\` (no daemon)`, median(nodeStartup), 'Node startup + bundle load');

    const oneShot: number[] = [];
    for (let round = 0; round < 50; round++) {
      oneShot.push(await timed(() => withDaemon(options, (session) => session.connection.sendRequest(DaemonStatusRequest))));
    }
    report('connect + handshake + status + close, median of 50', median(oneShot), 'what a CLI call spends on the socket');

    const raw = await connectRaw(home.dir);
    const trips: number[] = [];
    for (let round = 0; round < 200; round++) trips.push(await timed(() => raw.connection.sendRequest(DaemonStatusRequest)));
    raw.close();
    report('status round trip on an open connection, p50/200', median(trips), 'an editor window\'s request overhead');
  } finally {
    await home.cleanup();
  }
}

/** Each round: a fresh home, a pass over TypeScript's lib files, a stop request one second into it. */
async function stopsMidPass(rounds: number): Promise<number[]> {
  const root = makeDtsProject();
  const times: number[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      const home = makeTempHome('ccc-bench-');
      try {
        await runCli(['daemon', 'start'], { home: home.dir });
        const raw = await connectRaw(home.dir, { client: 'cli' });
        void raw.connection.sendRequest(IndexRequest, { root }).catch(() => undefined);
        await untilIndexing(home.dir, root);
        await new Promise((resolve) => setTimeout(resolve, 1000));
        times.push(
          await timed(async () => {
            await raw.connection.sendRequest(StopRequest);
            await waitFor(() => readPid(home.dir) === null, 30_000, 'the daemon to stop mid-pass');
          }),
        );
        raw.close();
      } finally {
        await home.cleanup();
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return times;
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exitCode = 1;
});
