// Review BS: a real MCP TypeScript SDK client lists the tools (caching each tool's outputSchema validator, as the SDK
// does) and calls one. Usage: node review-bs-structured-client.mjs <mcp-url> <tool>. Prints one JSON line:
// {"result": <the CallToolResult>} or {"error": <the message the SDK threw>}.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const timer = setTimeout(() => {
  console.error('review-bs-structured-client: no result within 30 s');
  process.exit(3);
}, 30_000);
const client = new Client({ name: 'review-bs', version: '1.0.0' });
await client.connect(new StreamableHTTPClientTransport(new URL(process.argv[2])));
await client.listTools();
let out;
try {
  out = { result: await client.callTool({ name: process.argv[3], arguments: {} }) };
} catch (e) {
  out = { error: String(e && e.message ? e.message : e) };
}
console.log(JSON.stringify(out));
clearTimeout(timer);
process.exit(0);
