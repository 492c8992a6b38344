// Shared helpers for the end-to-end suites. They run the real built programs (`npm run build` first) on a
// temporary CCC_HOME; nothing here stubs the daemon.
//
//   const home = makeTempHome();                 // short path under /tmp; `await home.cleanup()` stops its daemon and deletes it
//   after(() => home.cleanup());
//   const r = await runCli(['daemon', 'start'], { home: home.dir });   // → { code, stdout, stderr }; 'daemon start' starts one
//   const status = await cliJson<DaemonStatus>(['daemon', 'status', '--json'], { home: home.dir });  // exit 0 + JSON, or throws
//   const pid = readPid(home.dir);               // number | null, from daemon.pid
//   isAlive(pid);                                // kill(pid, 0)
//   await waitFor(() => readPid(home.dir) === null, 5000, 'pid file to vanish');
//   const raw = await connectRaw(home.dir);      // jsonrpc connection on the daemon's socket, handshake done (client 'vscode')
//   await raw.connection.sendRequest(DaemonStatusRequest); raw.close();
//   daemonProcesses(home);                       // pids of daemon processes running for that home (Linux /proc)
//   await buildDaemonVariant('0.0.1', dir);      // a daemon bundle claiming another version (version-policy tests)
//   await withIndexedProject(root, async ({ raw, indexed }) => …);  // benches: a daemon that indexed root, all removed after
//   const root = makeDtsProject(); await untilIndexing(home.dir, root); exited(pid)   // long passes to stop mid-way
//   const { client } = await connectMcp(home.dir, root);  // `ccc mcp` through the MCP SDK's client; toolText(result)
//   DIST, CCC_JS, DAEMON_JS                      // absolute paths of the built bundles
export { makeTempHome, type TempHome } from './home';
export { runCli, cliJson, CCC_JS, DAEMON_JS, DIST, type CliOptions, type CliResult } from './cli';
export { readPid, isAlive, waitFor, daemonProcesses } from './process';
export { buildDaemonVariant } from './build-variant';
export { connectRaw, daemonRss, type RawConnection } from './raw';
export { withIndexedProject, type IndexedProject } from './indexed-project';
export { connectMcp, toolText, type McpSession } from './mcp';
export { makeDtsProject, exited, untilIndexing } from './dts-project';
