// The official MCP TypeScript SDK client in a session that outlives a gateway reload (review BC). Usage:
//   node ts-late-pinning-client.mjs <mcp-url> <go-file>
// Connects (initialize, then the SDK opens the session's GET stream), waits until <go-file> exists (the test reloads
// the gateway meanwhile), then lists tools and calls echo, printing
//   LISTED [{"name":...,"description":...}, ...]
//   CALLED {"outcome":"result"|"error","detail":...}
import { existsSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

setTimeout(() => {
  console.error('ts-late-pinning-client: not done within 60 s');
  process.exit(3);
}, 60_000).unref();

const client = new Client({ name: 'tollgate-late-pinning', version: '1.0.0' });
client.onerror = () => {};
await client.connect(new StreamableHTTPClientTransport(new URL(process.argv[2])));
console.log('CONNECTED');
while (!existsSync(process.argv[3])) {
  await new Promise((r) => setTimeout(r, 50));
}
try {
  const listed = await client.listTools(undefined, { timeout: 10_000 });
  console.log('LISTED ' + JSON.stringify(listed.tools.map((t) => ({ name: t.name, description: t.description }))));
} catch (e) {
  console.log('LISTED ' + JSON.stringify({ error: String(e.message ?? e).slice(0, 300) }));
}
try {
  const result = await client.callTool({ name: 'echo', arguments: {} }, undefined, { timeout: 10_000 });
  console.log('CALLED ' + JSON.stringify({ outcome: 'result', detail: result.content?.[0]?.text }));
} catch (e) {
  console.log('CALLED ' + JSON.stringify({ outcome: 'error', detail: String(e.message ?? e).slice(0, 300) }));
}
await client.close();
process.exit(0);
