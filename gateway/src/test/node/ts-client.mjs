// A real MCP TypeScript SDK client. Usage: node ts-client.mjs <mcp-url>
// Connects with StreamableHTTPClientTransport (initialize), lists the tools, calls echo and add, calls
// test_tool_with_progress when the server has it (collecting the progress notifications it streams), ends the
// session with DELETE, and prints one JSON line of what it saw. Nothing session-specific is printed, so the
// line is the same direct and through a proxy. Exits non-zero on any failure or after a hard time limit.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const HARD_LIMIT_MS = 45_000;
const timer = setTimeout(() => {
  console.error(`ts-client: no result within ${HARD_LIMIT_MS} ms`);
  process.exit(3);
}, HARD_LIMIT_MS);

try {
  const url = new URL(process.argv[2]);
  const client = new Client({ name: 'tollgate-ts-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(url);
  await client.connect(transport);
  const tools = await client.listTools();
  const names = tools.tools.map((t) => t.name).sort();
  const echo = await client.callTool({ name: 'echo', arguments: { text: 'hello from typescript' } });
  const add = await client.callTool({ name: 'add', arguments: { a: 40, b: 2 } });
  let progress;
  if (names.includes('test_tool_with_progress')) {
    progress = [];
    await client.callTool({ name: 'test_tool_with_progress', arguments: {} }, undefined, {
      onprogress: (p) => progress.push(`${p.progress}/${p.total}`),
    });
  }
  const server = client.getServerVersion();
  await transport.terminateSession();
  await client.close();
  console.log(JSON.stringify({
    server,
    protocolVersion: transport.protocolVersion,
    tools: names,
    // What the client would hand its model about each tool: a test can check no poisoned description got through.
    descriptions: tools.tools.map((t) => t.description ?? ''),
    echo: echo.content,
    add: add.content,
    progress,
  }));
  clearTimeout(timer);
} catch (e) {
  console.error('ts-client failed:', e);
  process.exit(2);
}
