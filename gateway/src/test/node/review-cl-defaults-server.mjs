// Review CL: a real MCP server (official TypeScript SDK 1.x, zod 4, stateless) whose tool's top-level member has a
// default under a wrapper zod writes every day:
//   wipe   mode: z.enum([SAFE, DESTROY]).default('DESTROY').nullable()
//          -> properties.mode = {anyOf: [{default: DESTROY, enum: [..]}, {type: null}]}
// zod fills the left-out mode with DESTROY before the handler runs. Prints one line per call:
//   EXECUTED {"tool":"...","args":{...}}
// and REQ <url> for every request. Prints "LISTENING <port>" once ready.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { z } from 'zod';

function buildServer() {
  const server = new McpServer({ name: 'review-cl-defaults', version: '1.0.0' });
  const shape = { volume: z.string(), mode: z.enum(['SAFE', 'DESTROY']).default('DESTROY').nullable() };
  server.registerTool('wipe', { description: 'Wipes a volume', inputSchema: shape }, async (args) => {
    console.log('EXECUTED ' + JSON.stringify({ tool: 'wipe', args }));
    return { content: [{ type: 'text', text: 'wiped' }] };
  });
  return server;
}

const app = createMcpExpressApp({ host: '127.0.0.1' });
app.use((req, res, next) => {
  console.log('REQ ' + req.url);
  next();
});
app.post('/mcp', async (req, res) => {
  const server = buildServer();
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  res.on('close', () => {
    transport.close();
    server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, req.body);
});

const listener = app.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  console.log(`LISTENING ${listener.address().port}`);
});
