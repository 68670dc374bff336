// A real MCP TypeScript SDK client: connects to the URL given as the only argument (initialize), lists
// the tools, calls echo and add, closes the session, and prints one JSON line with what it saw.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const url = new URL(process.argv[2]);
const client = new Client({ name: 'tollgate-ts-test', version: '1.0.0' });
const transport = new StreamableHTTPClientTransport(url);
await client.connect(transport);
const tools = await client.listTools();
const echo = await client.callTool({ name: 'echo', arguments: { text: 'hello from typescript' } });
const add = await client.callTool({ name: 'add', arguments: { a: 40, b: 2 } });
const server = client.getServerVersion();
await transport.terminateSession();
await client.close();
console.log(JSON.stringify({
  server,
  protocolVersion: transport.protocolVersion,
  tools: tools.tools.map((t) => t.name).sort(),
  echo: echo.content,
  add: add.content,
}));
