// A real MCP server built with the official TypeScript SDK that keeps sessions and lets clients resume streams
// (Last-Event-ID, the 2025-11-25 Streamable HTTP resumability): one StreamableHTTPServerTransport per session, answers
// as SSE, and ONE event store for every session, as a server fronting several sessions with a shared store keeps it
// (the Python SDK's session manager takes a single event store for all its sessions). The SDK's transport replays
// whatever stream the store finds for the id it is given, so any session may resume any stream whose event id it names.
// Event ids are the SDK's example store's (`<stream>_<ms>_<random>`).
// Every request prints one line REQUEST {"method":"GET","lastEventId":"..."|null,"session":"..."|null} and every tool
// run EXECUTED {"tool":"...","args":{...}}, so a test can see what reached the server. Prints "LISTENING <port>".
import { randomUUID } from 'node:crypto';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { InMemoryEventStore } from '@modelcontextprotocol/sdk/examples/shared/inMemoryEventStore.js';
import { z } from 'zod';

const eventStore = new InMemoryEventStore();
const transports = new Map();

function buildServer() {
  const server = new McpServer({ name: 'tollgate-resumable-peer', version: '1.0.0' });
  server.registerTool('echo', { description: 'Echoes a message', inputSchema: { message: z.string() } }, async (args) => {
    console.log('EXECUTED ' + JSON.stringify({ tool: 'echo', args }));
    return { content: [{ type: 'text', text: `echo: ${args.message}` }] };
  });
  return server;
}

const app = createMcpExpressApp({ host: '127.0.0.1' });
app.use((req, res, next) => {
  console.log('REQUEST ' + JSON.stringify({ method: req.method, lastEventId: req.get('last-event-id') ?? null,
    session: req.get('mcp-session-id') ?? null }));
  next();
});
app.all('/mcp', async (req, res) => {
  const sessionId = req.get('mcp-session-id');
  let transport = sessionId ? transports.get(sessionId) : undefined;
  if (!transport) {
    if (sessionId || req.method !== 'POST' || !isInitializeRequest(req.body)) {
      res.status(404).json({ jsonrpc: '2.0', id: null, error: { code: -32001, message: 'Session not found' } });
      return;
    }
    transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      eventStore,
      onsessioninitialized: (id) => transports.set(id, transport),
    });
    await buildServer().connect(transport);
  }
  await transport.handleRequest(req, res, req.body);
});

const listener = app.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  console.log(`LISTENING ${listener.address().port}`);
});
