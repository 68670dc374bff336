// A real MCP server built with the official TypeScript SDK (McpServer + StreamableHTTPServerTransport on the
// SDK's own createMcpExpressApp, so the body is read by express.json() exactly as in production servers).
// Stateless: a new server and transport per request. Every tool it runs prints one line
//   EXECUTED {"tool":"...","args":{...}}
// and every resource it reads one line EXECUTED {"tool":"resources/read","args":{"uri":"<the URI the SDK read>"}}
// so a differential test can compare what the gateway decided with what the server actually executed.
// TASKS=1 adds 2025-11-25 tasks (see below).
// Prints "LISTENING <port>" once ready (port 0 = any free port; PORT env to choose).
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { InMemoryTaskStore, InMemoryTaskMessageQueue } from '@modelcontextprotocol/sdk/experimental/tasks/stores/in-memory.js';
import { InMemoryEventStore } from '@modelcontextprotocol/sdk/examples/shared/inMemoryEventStore.js';
import { z } from 'zod';

// TASKS=1: 2025-11-25 tasks too (a store and message queue shared by the per-request servers, as stateless servers
// are written), a task-augmented tool `job` that completes after JOB_MS, and each EXECUTED line names the task the SDK
// ran the call as part of (extra.taskId), so a test sees which task a request was attributed to.
const TASKS = Boolean(process.env.TASKS);
const JOB_MS = Number(process.env.JOB_MS ?? 300);
// ECHO_MESSAGE=1: the echo tool answers "echo: <message>" rather than "echo ran" (a test sees whose call it answered).
const ECHO_MESSAGE = Boolean(process.env.ECHO_MESSAGE);
const taskStore = TASKS ? new InMemoryTaskStore() : undefined;
// EVENTS=1: answers as SSE with one in-memory event store for the process (each stream opens with a priming event), and
// a GET with Last-Event-ID replays what followed that event, as a resumable stateless server does (SEP-1699).
const EVENTS = Boolean(process.env.EVENTS);
const eventStore = EVENTS ? new InMemoryEventStore() : undefined;
const taskMessageQueue = TASKS ? new InMemoryTaskMessageQueue() : undefined;

function executed(tool, args, extra) {
  console.log('EXECUTED ' + JSON.stringify(TASKS ? { tool, args, taskId: extra?.taskId ?? null } : { tool, args }));
  return { content: [{ type: 'text', text: `${tool} ran` }] };
}

function registerJob(server) {
  server.experimental.tasks.registerToolTask('job', { description: 'A long job', inputSchema: { name: z.string() } }, {
    async createTask({ name }, { taskStore: store, taskRequestedTtl }) {
      const task = await store.createTask({ ttl: taskRequestedTtl });
      executed('job', { name }, { taskId: task.taskId });
      setTimeout(() => store.storeTaskResult(task.taskId, 'completed', { content: [{ type: 'text', text: `job done: ${name}` }] })
        .catch(() => {}), JOB_MS);
      return { task };
    },
    async getTask(_args, { taskId, taskStore: store }) {
      return await store.getTask(taskId);
    },
    async getTaskResult(_args, { taskId, taskStore: store }) {
      return await store.getTaskResult(taskId);
    },
  });
}

function buildServer() {
  const server = TASKS
    ? new McpServer({ name: 'tollgate-differential-peer', version: '1.0.0' },
      { capabilities: { logging: {}, tasks: { requests: { tools: { call: {} } }, list: {}, cancel: {} } }, taskStore, taskMessageQueue })
    : new McpServer({ name: 'tollgate-differential-peer', version: '1.0.0' });
  if (TASKS) {
    registerJob(server);
  }
  server.registerTool('get-env', { description: 'Returns the environment (dangerous)', inputSchema: {} },
    async () => executed('get-env', {}));
  server.registerTool('read-file', { description: 'Reads a file', inputSchema: { path: z.string() } },
    async (args) => executed('read-file', args));
  server.registerTool('echo', { description: 'Echoes a message', inputSchema: { message: z.string() } },
    async (args, extra) => {
      const ran = executed('echo', args, extra);
      return ECHO_MESSAGE ? { content: [{ type: 'text', text: `echo: ${args.message}` }] } : ran;
    });
  // Numbers as JSON.parse reads them: every one a double, so integers beyond 2^53 arrive as a neighbour.
  server.registerTool('transfer', { description: 'Moves money to an account', inputSchema: { to: z.number(), amount: z.number() } },
    async (args) => executed('transfer', args));
  // An account reference typed as text and parsed the way much tool code does (parseInt, no radix): "042", "42abc"
  // and "0x2A" are all account 42 here. It prints the account it acts on.
  server.registerTool('pay', { description: 'Pays an account given by reference', inputSchema: { account: z.string(), amount: z.number() } },
    async (args) => executed('pay', { account: Number.parseInt(args.account), amount: args.amount }));
  // resources/read looks a resource up under new URL(uri).toString(), the WHATWG reading of the URI sent.
  const read = (uri) => {
    executed('resources/read', { uri: uri.href });
    return { contents: [{ uri: uri.href, text: `contents of ${uri.href}` }] };
  };
  server.registerResource('secret', 'file:///secret.txt', { mimeType: 'text/plain' }, async (uri) => read(uri));
  server.registerResource('public', 'file:///public.txt', { mimeType: 'text/plain' }, async (uri) => read(uri));
  server.registerResource('vault', new ResourceTemplate('file:///vault/{name}', { list: undefined }), { mimeType: 'text/plain' },
    async (uri) => read(uri));
  // Two prompts: one a policy may leave out of prompts/list (an operator's runbook), one everybody may get.
  const prompt = (name, text) => ({ messages: [{ role: 'user', content: { type: 'text', text } }] });
  server.registerPrompt('summarise', { description: 'Summarise a topic', argsSchema: { topic: z.string() } },
    async ({ topic }) => prompt('summarise', `Summarise ${topic}`));
  server.registerPrompt('admin-runbook', { description: 'How to rotate the production keys' },
    async () => prompt('admin-runbook', 'Rotate the keys with the vault token'));
  return server;
}

const app = createMcpExpressApp({ host: '127.0.0.1' });
app[EVENTS ? 'all' : 'post']('/mcp', async (req, res) => {
  const server = buildServer();
  const transport = new StreamableHTTPServerTransport(EVENTS ? { sessionIdGenerator: undefined, eventStore }
    : { sessionIdGenerator: undefined, enableJsonResponse: true });
  res.on('close', () => {
    transport.close();
    server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, req.body);
});
// express.json() errors (a charset it refuses, bad JSON) end here: print them so a test can show them.
app.use((err, req, res, next) => {
  console.log('REFUSED ' + JSON.stringify({ status: err.status, type: err.type, message: err.message }));
  res.status(err.status || 500).json({ jsonrpc: '2.0', id: null, error: { code: -32700, message: err.message } });
});

const listener = app.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  console.log(`LISTENING ${listener.address().port}`);
});
