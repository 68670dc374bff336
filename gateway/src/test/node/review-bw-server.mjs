// Review BW: a real MCP server (official TypeScript SDK, stateless, express.json as ts-server.mjs) whose tools read
// their arguments as much zod-based tool code does: transfer's account is z.coerce.number() (JavaScript's Number(x):
// "0x40000000000000", [x], " x " are all x), and read-file's path has a default the server fills in when the call
// leaves it out (z.string().default(...), advertised as "default" in the tool's inputSchema), and wipe's force flag is
// z.coerce.boolean(). Every run prints
//   EXECUTED {"tool":"...","args":{...}}   with the arguments as the tool received them.
// Prints "LISTENING <port>" once ready.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { z } from 'zod';

function executed(tool, args) {
  console.log('EXECUTED ' + JSON.stringify({ tool, args }));
  return { content: [{ type: 'text', text: `${tool} ran` }] };
}

function buildServer() {
  const server = new McpServer({ name: 'bw-readings-peer', version: '1.0.0' });
  server.registerTool('transfer', { description: 'Moves money to an account', inputSchema: { to: z.coerce.number(), amount: z.number() } },
    async (args) => executed('transfer', args));
  server.registerTool('read-file', { description: 'Reads a file', inputSchema: { path: z.string().default('/etc/passwd') } },
    async (args) => executed('read-file', args));
  // wipe's force flag is z.coerce.boolean(): JavaScript's Boolean(x), true for 1, "false", "no", [] and {} alike.
  server.registerTool('wipe', { description: 'Wipes a disk', inputSchema: { disk: z.string(), force: z.coerce.boolean() } },
    async (args) => executed('wipe', args));
  server.registerTool('echo', { description: 'Echoes a message', inputSchema: { message: z.string() } },
    async (args) => executed('echo', args));
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
