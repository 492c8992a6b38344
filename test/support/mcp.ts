// `ccc mcp` as an agent runs it: the built CLI on stdio, through the MCP SDK's own client, on a temporary CCC_HOME.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CCC_JS } from './cli';

export interface McpSession {
  client: Client;
  /** What the server wrote to stderr so far (notices; stdout carries MCP messages only). */
  stderr(): string;
}

export async function connectMcp(home: string, cwd: string): Promise<McpSession> {
  let stderr = '';
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CCC_JS, 'mcp'],
    cwd,
    env: { ...(process.env as Record<string, string>), CCC_HOME: home },
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: 'ccc-test', version: '0.0.0' });
  await client.connect(transport);
  return { client, stderr: () => stderr };
}

/** A tool result's text parts, joined. */
export function toolText(result: unknown): string {
  return (result as { content: { text?: string }[] }).content.map((part) => part.text ?? '').join('\n');
}
