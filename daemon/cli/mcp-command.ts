// `ccc mcp`: serve the project around the current folder to an agent over MCP on stdio.
import { Command } from 'commander';
import { resolve } from 'node:path';
import { findProjectRoot } from '../client';

export function register(program: Command): void {
  program
    .command('mcp')
    .description('run an MCP server on stdio for coding agents (Claude Code, Codex, Cursor)')
    .option('--root <dir>', 'the project to search (default: the project around the current folder)')
    .action(async (options: { root?: string }) => {
      // Loaded on demand: the MCP SDK and zod need not slow down every other ccc command.
      const { serveMcp } = await import('../mcp/server');
      await serveMcp(options.root ? resolve(options.root) : findProjectRoot(process.cwd()));
    });
}
