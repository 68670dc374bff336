// A real MCP server built with the official TypeScript SDK, stateless (no sessions: a new transport per request, as
// stateless servers are written) but resumable: one in-memory event store for the process, so a GET with Last-Event-ID
// replays what followed that event on this instance (the SDK's stateless transport does so on a GET). Answers as SSE.
// Tool `step-echo` sends one log message, then its result, so the result follows an event a client can resume from.
// Every request prints REQUEST {"method":"...","lastEventId":...}; every tool run EXECUTED {...}. Prints "LISTENING <port>".
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { InMemoryEventStore } from '@modelcontextprotocol/sdk/examples/shared/inMemoryEventStore.js';
import { z } from 'zod';

const eventStore = new InMemoryEventStore();

function buildServer() {
  const server = new McpServer({ name: 'tollgate-stateless-resumable-peer', version: '1.0.0' }, { capabilities: { logging: {} } });
  server.registerTool('step-echo', { description: 'Echoes after one step', inputSchema: { message: z.string() } }, async (args, extra) => {
    console.log('EXECUTED ' + JSON.stringify({ tool: 'step-echo', args }));
    await extra.sendNotification({ method: 'notifications/message', params: { level: 'info', data: 'step 1' } });
    return { content: [{ type: 'text', text: `echo: ${args.message}` }] };
  });
  return server;
}

const app = createMcpExpressApp({ host: '127.0.0.1' });
app.use((req, res, next) => {
  console.log('REQUEST ' + JSON.stringify({ method: req.method, lastEventId: req.get('last-event-id') ?? null }));
  next();
});
app.all('/mcp', async (req, res) => {
  const server = buildServer();
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, eventStore });
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
