// A real A2A agent built on @a2a-js/sdk 1.3.0 for Tollgate's tests. Usage: node a2a/echo-agent.mjs
// Listens on 127.0.0.1 (PORT env, 0 = any free port) and prints one line "LISTENING <port>" when ready.
// Serves the 1.0 card (and a v0.3 card to clients that send no A2A-Version) at /.well-known/agent-card.json,
// JSON-RPC at /a2a/jsonrpc and HTTP+JSON at /a2a/rest, both with the v0.3 compatibility layer on.
// The executor echoes the user's text as a task that goes WORKING -> artifact chunks -> COMPLETED, with
// STEP_MS between events so a test can tell a relayed stream from a buffered one. A message whose text is
// "slow" keeps its task WORKING until it is canceled (for CancelTask). The card carries a signature and
// security schemes of its own so tests can see the gateway rewrite them. EXTRA_SKILLS and CARD_DESCRIPTION
// (environment) add skills to the card and replace its description, for tests of what a card tells a model. COST_USD
// makes the COMPLETED status update report that cost in its metadata.
import express from 'express';
import { AgentEvent, DefaultRequestHandler, InMemoryTaskStore, InMemoryPushNotificationStore } from '@a2a-js/sdk/server';
import { agentCardHandler, jsonRpcHandler, restHandler, UserBuilder } from '@a2a-js/sdk/server/express';
import { Role, TaskState } from '@a2a-js/sdk';

const STEP_MS = Number(process.env.STEP_MS ?? 250);
const CHUNKS = 3;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const textPart = (value) => ({ content: { $case: 'text', value }, mediaType: 'text/plain', filename: '', metadata: undefined });

function agentMessage(text, taskId, contextId) {
  return {
    messageId: `m-${Date.now()}-${Math.random().toString(16).slice(2)}`,
    contextId, taskId, role: Role.ROLE_AGENT, parts: [textPart(text)], metadata: undefined, extensions: [],
    referenceTaskIds: [],
  };
}

const canceled = new Set();

const executor = {
  async execute(ctx, bus) {
    const { taskId, contextId } = ctx;
    // ECHO_DATA=1: a data part is echoed too, as the JSON of the value the executor was handed (for tests of what it reads).
    // ECHO_MESSAGE_EXTENSIONS=1: the text is prefixed with the message's extensions as the executor is handed them.
    const ext = process.env.ECHO_MESSAGE_EXTENSIONS ? `[msgext ${(ctx.userMessage.extensions ?? []).join('|')}] ` : '';
    // ECHO_REQUESTED_EXTENSIONS=1: the text is prefixed with the extensions the SDK says the client requested (from the
    // extension header its handler reads, kept to those the card declares: CARD_EXTENSIONS, comma-separated URIs).
    const reqExt = process.env.ECHO_REQUESTED_EXTENSIONS ? `[reqext ${(ctx.context?.requestedExtensions ?? []).join('|')}] ` : '';
    // ECHO_TENANT=1: the text is prefixed with the tenant the SDK runs the call in (the one its task store keeps it under).
    const tenant = process.env.ECHO_TENANT ? `[tenant ${ctx.context?.tenant ?? ''}] ` : '';
    // ECHO_FILES=1: an inline file (raw) is echoed as the UTF-8 text of the bytes the SDK decoded from its base64, and a
    // file sent as a data: URL as the text Node's own fetch resolves it to (no network access).
    const echoed = await Promise.all(ctx.userMessage.parts.map(async (p) => (p.content?.$case === 'text' ? p.content.value
      : process.env.ECHO_DATA && p.content?.$case === 'data' ? JSON.stringify(p.content.value)
      : process.env.ECHO_FILES && p.content?.$case === 'raw' ? `[file ${Buffer.from(p.content.value).toString('utf8')}]`
      : process.env.ECHO_FILES && p.content?.$case === 'url' && /^data:/i.test(p.content.value)
        ? `[file ${await (await fetch(p.content.value)).text()}]` : '')));
    // ECHO_MEDIA_TYPES=1: the text is prefixed with each part's media type as the executor is handed it.
    const media = process.env.ECHO_MEDIA_TYPES ? ctx.userMessage.parts.map((p) => `[media ${p.mediaType}] `).join('') : '';
    const text = tenant + reqExt + ext + media + echoed.join('');
    // COST_USD: the final status update reports the task's cost in its metadata ({cost_usd}), which the SDK's task store
    // merges into the task's own (GetTask shows it there too).
    const cost = (state) => (process.env.COST_USD && state === TaskState.TASK_STATE_COMPLETED ? { cost_usd: Number(process.env.COST_USD) } : undefined);
    const status = (state, message) => AgentEvent.statusUpdate({
      taskId, contextId, status: { state, message, timestamp: new Date().toISOString() }, metadata: cost(state),
    });
    bus.publish(AgentEvent.task({
      id: taskId, contextId, status: { state: TaskState.TASK_STATE_SUBMITTED, message: undefined, timestamp: new Date().toISOString() },
      artifacts: [], history: [ctx.userMessage], metadata: undefined,
    }));
    await sleep(STEP_MS);
    bus.publish(status(TaskState.TASK_STATE_WORKING, undefined));
    if (text === 'slow') {
      // Parks the task in WORKING until cancelTask publishes CANCELED; gives up after a minute.
      for (let i = 0; i < 600 && !canceled.has(taskId); i++) {
        await sleep(100);
      }
      bus.finished();
      return;
    }
    for (let i = 0; i < CHUNKS; i++) {
      await sleep(STEP_MS);
      bus.publish(AgentEvent.artifactUpdate({
        taskId, contextId, append: i > 0, lastChunk: i === CHUNKS - 1, metadata: undefined,
        artifact: { artifactId: 'echo', name: 'echo', description: '', parts: [textPart(`${i}:${text}`)], metadata: undefined, extensions: [] },
      }));
    }
    await sleep(STEP_MS);
    bus.publish(status(TaskState.TASK_STATE_COMPLETED, agentMessage(`echo: ${text}`, taskId, contextId)));
    bus.finished();
  },
  async cancelTask(taskId, bus) {
    canceled.add(taskId);
    bus.publish(AgentEvent.statusUpdate({
      taskId, contextId: '', metadata: undefined,
      status: { state: TaskState.TASK_STATE_CANCELED, message: undefined, timestamp: new Date().toISOString() },
    }));
    bus.finished();
  },
};

const app = express();
// One line per request, so a test can see what reached the agent, from where, with which A2A headers.
app.use((req, res, next) => {
  console.log(`REQ ${req.method} ${req.originalUrl} via=${req.headers['x-forwarded-host'] ?? '-'} version=${req.headers['a2a-version'] ?? '-'} extensions=${req.headers['a2a-extensions'] ?? '-'}`);
  next();
});
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const base = `http://127.0.0.1:${server.address().port}`;
  const skill = (id, name) => ({ id, name, description: `${name} skill`, tags: [id], examples: [], inputModes: [], outputModes: [], securityRequirements: [] });
  const card = {
    name: 'Echo Agent',
    description: process.env.CARD_DESCRIPTION ?? 'Echoes what it is told, in a few streamed steps',
    supportedInterfaces: [
      { url: `${base}/a2a/jsonrpc`, protocolBinding: 'JSONRPC', protocolVersion: '1.0', tenant: '' },
      { url: `${base}/a2a/rest`, protocolBinding: 'HTTP+JSON', protocolVersion: '1.0', tenant: '' },
      { url: `${base}/a2a/jsonrpc`, protocolBinding: 'JSONRPC', protocolVersion: '0.3', tenant: '' },
      { url: `${base}/a2a/rest`, protocolBinding: 'HTTP+JSON', protocolVersion: '0.3', tenant: '' },
    ],
    provider: { url: 'https://example.com', organization: 'Tollgate tests' },
    version: '1.0.0',
    capabilities: { streaming: true, pushNotifications: true,
      extensions: (process.env.CARD_EXTENSIONS ?? '').split(',').filter((u) => u).map((uri) => ({ uri, description: '', required: false, params: undefined })),
      extendedAgentCard: true },
    // The SDK serves the 1.0 card as given (this internal $case form reaches the wire as is) and converts it for 0.3.
    securitySchemes: { upstreamKey: { scheme: { $case: 'apiKeySecurityScheme', value: { description: '', location: 'header', name: 'X-Upstream-Key' } } } },
    securityRequirements: [],
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/plain'],
    skills: [skill('echo', 'Echo'), skill('translate', 'Translate'), skill('admin-reset', 'Admin reset'),
      // A test can give the card more skills (EXTRA_SKILLS, a JSON array of {id, name, description}) and its own description.
      ...JSON.parse(process.env.EXTRA_SKILLS ?? '[]').map((s) => ({ ...skill(s.id, s.name), description: s.description }))],
    signatures: [{ protected: 'eyJhbGciOiJFUzI1NiJ9', signature: 'c2lnbmVkLWJ5LXRoZS11cHN0cmVhbQ', header: undefined }],
    iconUrl: undefined,
    documentationUrl: undefined,
  };
  const extended = { ...card, description: 'Extended card of the echo agent', skills: [...card.skills, skill('secret', 'Secret')] };
  const handler = new DefaultRequestHandler(card, new InMemoryTaskStore(), executor, undefined,
    new InMemoryPushNotificationStore(), undefined, extended);
  const compat = { enabled: true };
  app.use('/.well-known/agent-card.json', agentCardHandler({ agentCardProvider: handler, legacyCompat: compat }));
  app.use('/a2a/jsonrpc', jsonRpcHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication, legacyCompat: compat }));
  app.use('/a2a/rest', restHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication, legacyCompat: compat }));
  // EXTRA_REST_BASE: HTTP+JSON served at a second base too (an agent under /api/v1/..., for tests of path readings).
  if (process.env.EXTRA_REST_BASE) {
    app.use(process.env.EXTRA_REST_BASE, restHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication, legacyCompat: compat }));
  }
  console.log(`LISTENING ${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
