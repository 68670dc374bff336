// A stateless MCP server on the official TypeScript SDK with 2025-11-25 tasks (shared InMemoryTaskStore and
// InMemoryTaskMessageQueue, a new McpServer per request, as stateless servers are written). Tools:
//   job   - task-augmented: creates a task that completes after JOB_MS with "job done"
//   echo  - plain; prints EXECUTED {"tool":"echo","args":{...},"taskId":<extra.taskId>} and sends one log
//           notification, so a test sees which task the SDK attributed the call to and where its messages went.
// Prints "LISTENING <port>".
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { InMemoryTaskStore, InMemoryTaskMessageQueue } from '@modelcontextprotocol/sdk/experimental/tasks/stores/in-memory.js';
import { z } from 'zod';

const JOB_MS = Number(process.env.JOB_MS ?? 300);
const taskStore = new InMemoryTaskStore();
const taskMessageQueue = new InMemoryTaskMessageQueue();

function buildServer() {
  const server = new McpServer({ name: 'tollgate-task-peer', version: '1.0.0' },
    { capabilities: { logging: {}, tasks: { requests: { tools: { call: {} } }, list: {}, cancel: {} } }, taskStore, taskMessageQueue });
  server.experimental.tasks.registerToolTask('job', { description: 'A long job', inputSchema: { name: z.string() } }, {
    async createTask({ name }, { taskStore: store, taskRequestedTtl }) {
      const task = await store.createTask({ ttl: taskRequestedTtl });
      console.log('EXECUTED ' + JSON.stringify({ tool: 'job', args: { name }, taskId: task.taskId }));
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
  server.registerTool('echo', { description: 'Echoes a message', inputSchema: { message: z.string() } }, async (args, extra) => {
    console.log('EXECUTED ' + JSON.stringify({ tool: 'echo', args, taskId: extra.taskId ?? null }));
    await extra.sendNotification({ method: 'notifications/message', params: { level: 'info', data: `echo log: ${args.message}` } });
    return { content: [{ type: 'text', text: `echo: ${args.message}` }] };
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
const listener = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`LISTENING ${listener.address().port}`);
});
