// Entry of dist/ccc.js. Each command lives in its own file exporting `register(program)`; add one import and one
// register call here per command file.
import { Command } from 'commander';
import { VERSION } from '../version';
import { register as registerDaemon } from './daemon-command';
import { register as registerDoctor } from './doctor-command';
import { register as registerGrep } from './grep-command';
import { register as registerSearch } from './search-command';
import { register as registerMcp } from './mcp-command';
import { register as registerIndex } from './index-commands';
import { reportError } from './output';

function buildProgram(): Command {
  const program = new Command('ccc')
    .description('Local semantic code search: index a project, search it by meaning or by keyword.')
    .version(VERSION, '-V, --version', 'print the version of ccc')
    .exitOverride()
    .showSuggestionAfterError();
  registerDaemon(program);
  registerSearch(program);
  registerMcp(program);
  registerIndex(program);
  registerDoctor(program);
  registerGrep(program);
  return program;
}

buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    process.exitCode = reportError(error);
  });
