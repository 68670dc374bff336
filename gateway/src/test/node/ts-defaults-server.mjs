// A real MCP server (official TypeScript SDK, stateless) whose tool declares argument defaults with zod, as tool code
// often does: zod fills a member the call leaves out with its default before the handler runs, and the listed input
// schema carries it as "default". The wipe tool destroys unless told otherwise. Prints one line per call:
//   EXECUTED {"tool":"wipe","args":{...the arguments the handler was given...}}
// and REQ <url> for every request. Prints "LISTENING <port>" once ready.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { z } from 'zod';

function buildServer() {
  const server = new McpServer({ name: 'defaults-peer', version: '1.0.0' });
  server.registerTool('wipe', {
    description: 'Wipes a volume',
    inputSchema: {
      volume: z.string(),
      mode: z.enum(['SAFE', 'DESTROY']).default('DESTROY'),
      options: z.object({ force: z.boolean().default(true), scope: z.string().default('all') }).default({}),
    },
  }, async (args) => {
    console.log('EXECUTED ' + JSON.stringify({ tool: 'wipe', args }));
    return { content: [{ type: 'text', text: `wiped ${args.volume} ${args.mode}` }] };
  });
  return server;
}

const app = createMcpExpressApp({ host: '127.0.0.1' });
// Every request's URL, so a test can post a marker and know every line printed before it has been read.
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
