// Review BM: a real MCP server (official TypeScript SDK, stateless) whose read-file tool types its path as
// z.coerce.string(), as zod-based tool code often does: a list arrives as JavaScript's String(list), the elements joined
// by commas, lists within joined alike ([["/tmp/../etc/passwd"]] is "/tmp/../etc/passwd"). It resolves the path as a
// file-reading tool does (path.posix.normalize) and prints one line per call:
//   EXECUTED {"tool":"read-file","args":{"path":"<the path it read>"}}
// Prints "LISTENING <port>" once ready.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { z } from 'zod';
import path from 'node:path';

function buildServer() {
  const server = new McpServer({ name: 'bm-coerce-peer', version: '1.0.0' });
  server.registerTool('read-file', { description: 'Reads a file', inputSchema: { path: z.coerce.string() } },
    async (args) => {
      const resolved = path.posix.normalize(args.path);
      console.log('EXECUTED ' + JSON.stringify({ tool: 'read-file', args: { path: resolved } }));
      return { content: [{ type: 'text', text: `read ${resolved}` }] };
    });
  return server;
}

const app = createMcpExpressApp({ host: '127.0.0.1' });
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
