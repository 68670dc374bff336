// A real A2A agent built on @a2a-js/sdk 1.3.0 for review AD: a two-turn task. Usage: node a2a/input-agent.mjs
// Listens on 127.0.0.1 (PORT env, 0 = any free port) and prints "LISTENING <port>" when ready. A message starting a task
// gets the task SUBMITTED then INPUT_REQUIRED (the agent asks a question); the message continuing it (taskId set) gets it
// COMPLETED, its final status update reporting the task's cost (COST_USD) in its metadata, which the SDK's store merges
// into the task (GetTask shows it there).
import express from 'express';
import { AgentEvent, DefaultRequestHandler, InMemoryTaskStore, InMemoryPushNotificationStore } from '@a2a-js/sdk/server';
import { agentCardHandler, jsonRpcHandler, restHandler, UserBuilder } from '@a2a-js/sdk/server/express';
import { Role, TaskState } from '@a2a-js/sdk';

const textPart = (value) => ({ content: { $case: 'text', value }, mediaType: 'text/plain', filename: '', metadata: undefined });
const agentMessage = (text, taskId, contextId) => ({
  messageId: `m-${Date.now()}-${Math.random().toString(16).slice(2)}`,
  contextId, taskId, role: Role.ROLE_AGENT, parts: [textPart(text)], metadata: undefined, extensions: [], referenceTaskIds: [],
});

const executor = {
  async execute(ctx, bus) {
    const { taskId, contextId } = ctx;
    const now = () => new Date().toISOString();
    if (!ctx.task) {
      bus.publish(AgentEvent.task({
        id: taskId, contextId, status: { state: TaskState.TASK_STATE_SUBMITTED, message: undefined, timestamp: now() },
        artifacts: [], history: [ctx.userMessage], metadata: undefined,
      }));
      bus.publish(AgentEvent.statusUpdate({ taskId, contextId, metadata: undefined,
        status: { state: TaskState.TASK_STATE_INPUT_REQUIRED, message: agentMessage('Which region?', taskId, contextId), timestamp: now() } }));
      bus.finished();
      return;
    }
    // A stream opens with the task (the SDK refuses a status update first), working again on the caller's answer.
    bus.publish(AgentEvent.task({ ...ctx.task, status: { state: TaskState.TASK_STATE_WORKING, message: undefined, timestamp: now() } }));
    bus.publish(AgentEvent.statusUpdate({ taskId, contextId, metadata: { cost_usd: Number(process.env.COST_USD ?? '0.75') },
      status: { state: TaskState.TASK_STATE_COMPLETED, message: agentMessage('done', taskId, contextId), timestamp: now() } }));
    bus.finished();
  },
  async cancelTask(taskId, bus) {
    bus.publish(AgentEvent.statusUpdate({ taskId, contextId: '', metadata: undefined,
      status: { state: TaskState.TASK_STATE_CANCELED, message: undefined, timestamp: new Date().toISOString() } }));
    bus.finished();
  },
};

const app = express();
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const base = `http://127.0.0.1:${server.address().port}`;
  const card = {
    name: 'Input Agent', description: 'Asks one question, then finishes',
    supportedInterfaces: [
      { url: `${base}/a2a/jsonrpc`, protocolBinding: 'JSONRPC', protocolVersion: '1.0', tenant: '' },
      { url: `${base}/a2a/rest`, protocolBinding: 'HTTP+JSON', protocolVersion: '1.0', tenant: '' },
    ],
    provider: { url: 'https://example.com', organization: 'Tollgate tests' }, version: '1.0.0',
    capabilities: { streaming: true, pushNotifications: false, extensions: [], extendedAgentCard: false },
    securitySchemes: {}, securityRequirements: [], defaultInputModes: ['text/plain'], defaultOutputModes: ['text/plain'],
    skills: [{ id: 'plan', name: 'Plan', description: 'Plan skill', tags: ['plan'], examples: [], inputModes: [], outputModes: [], securityRequirements: [] }],
    signatures: [], iconUrl: undefined, documentationUrl: undefined,
  };
  const handler = new DefaultRequestHandler(card, new InMemoryTaskStore(), executor, undefined, new InMemoryPushNotificationStore());
  const compat = { enabled: true };
  app.use('/.well-known/agent-card.json', agentCardHandler({ agentCardProvider: handler, legacyCompat: compat }));
  app.use('/a2a/jsonrpc', jsonRpcHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication, legacyCompat: compat }));
  app.use('/a2a/rest', restHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication, legacyCompat: compat }));
  console.log(`LISTENING ${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
