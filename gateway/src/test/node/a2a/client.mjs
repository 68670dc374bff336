// A real A2A client (@a2a-js/sdk 1.3.0) for Tollgate's tests. Usage: node a2a/client.mjs <agent-base-url>
// Resolves the agent card at <agent-base-url>/.well-known/agent-card.json and then only follows the card.
// Every URL the SDK fetches is recorded (fetch is wrapped), so a test can check the client never left the
// gateway. Runs, in order: JSON-RPC 1.0 send, stream (each event timestamped on arrival), get, cancel, a
// denied send, the HTTP+JSON binding (send and stream), the 0.3 JSON-RPC transport (message/send,
// tasks/get) against the 0.3 card, and the 0.3 HTTP+JSON transport (proto JSON: send, stream, get, a denied send). Prints one JSON line of what it saw; exits non-zero on any failure.
import { ClientFactory, ClientFactoryOptions } from '@a2a-js/sdk/client';
import { LegacyJsonRpcTransport, LegacyRestTransport, parseLegacyAgentCard } from '@a2a-js/sdk/compat/v0_3/client';
import { Role } from '@a2a-js/sdk';

const HARD_LIMIT_MS = 45_000;
const timer = setTimeout(() => {
  console.error(`a2a client: no result within ${HARD_LIMIT_MS} ms`);
  process.exit(3);
}, HARD_LIMIT_MS);

const fetched = [];
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  fetched.push(`${init?.method ?? 'GET'} ${typeof input === 'string' ? input : input.url ?? String(input)}`);
  return realFetch(input, init);
};

let counter = 0;
const message = (text, skillId) => ({
  messageId: `client-${++counter}`, contextId: '', taskId: '', role: Role.ROLE_USER,
  parts: [{ content: { $case: 'text', value: text }, mediaType: 'text/plain', filename: '', metadata: undefined }],
  metadata: skillId ? { skillId } : undefined, extensions: [], referenceTaskIds: [],
});
const request = (text, skillId, configuration) => ({ tenant: '', message: message(text, skillId), configuration, metadata: undefined });
// SendMessage answers a task or a message; the SDK gives either the object or a { $case, value } wrapper.
const taskOf = (result) => (result?.$case === 'task' ? result.value : result?.payload?.$case === 'task' ? result.payload.value : result);
const stateName = (state) => (typeof state === 'number' ? ['UNSPECIFIED', 'SUBMITTED', 'WORKING', 'COMPLETED', 'FAILED', 'CANCELED', 'INPUT_REQUIRED', 'REJECTED', 'AUTH_REQUIRED'][state] : String(state));
const artifactTexts = (task) => (task.artifacts ?? []).flatMap((a) => a.parts.map((p) => p.content?.value));

async function stream(client, text) {
  const start = Date.now();
  const events = [];
  for await (const ev of client.sendMessageStream(request(text, 'echo'))) {
    events.push({ kind: ev.payload?.$case ?? Object.keys(ev)[0], atMs: Date.now() - start });
  }
  return events;
}

const out = {};
try {
  // Exactly the URL the README gives (no trailing slash): the SDK then asks for <parent>/.well-known/agent-card.json,
  // which the gateway answers with the card of the one A2A route in that directory.
  const base = process.argv[2];
  const factory = new ClientFactory();
  const client = await factory.createFromUrl(base);
  const card = await client.getAgentCard();
  out.card = {
    interfaces: card.supportedInterfaces.map((i) => `${i.protocolBinding} ${i.protocolVersion} ${i.url}`),
    skills: card.skills.map((s) => s.id),
    signatures: card.signatures?.length ?? 0,
  };

  const sent = taskOf(await client.sendMessage(request('hello', 'echo')));
  out.send = { state: stateName(sent.status.state), artifacts: artifactTexts(sent), reply: sent.status.message?.parts?.[0]?.content?.value };
  out.stream = await stream(client, 'streamed');
  out.get = { state: stateName((await client.getTask({ tenant: '', id: sent.id })).status.state) };

  const slow = taskOf(await client.sendMessage(request('slow', 'echo', {
    acceptedOutputModes: [], taskPushNotificationConfig: undefined, returnImmediately: true,
  })));
  const canceled = await client.cancelTask({ tenant: '', id: slow.id, metadata: undefined });
  out.cancel = { before: stateName(slow.status.state), after: stateName(canceled.status.state) };

  try {
    await client.sendMessage(request('reset everything', 'admin-reset'));
    out.denied = { error: null };
  } catch (e) {
    out.denied = { error: String(e.message ?? e), code: e.code };
  }

  const restFactory = new ClientFactory(ClientFactoryOptions.createFrom(ClientFactoryOptions.default, { preferredTransports: ['HTTP+JSON'] }));
  const rest = await restFactory.createFromUrl(base);
  const restSent = taskOf(await rest.sendMessage(request('over rest', 'echo')));
  out.rest = { state: stateName(restSent.status.state), artifacts: artifactTexts(restSent), stream: await stream(rest, 'rest stream') };

  // 0.3: the card a client sends no A2A-Version for, and the 0.3 JSON-RPC names (message/send, tasks/get).
  const legacyCard = parseLegacyAgentCard(await (await fetch(new URL(".well-known/agent-card.json", base).href)).json());
  const legacyJsonRpc = legacyCard.supportedInterfaces.find((i) => i.protocolBinding === 'JSONRPC');
  const legacy = new LegacyJsonRpcTransport({ endpoint: legacyJsonRpc.url });
  const legacySent = taskOf(await legacy.sendMessage(request('old style', 'echo')));
  const legacyGot = await legacy.getTask({ tenant: '', id: legacySent.id });
  out.legacy = { endpoint: legacyJsonRpc.url, state: stateName(legacySent.status.state), get: stateName(legacyGot.status.state) };

  // 0.3 HTTP+JSON: the SDK sends proto JSON (message.content, not parts) to <url>/v1/message:send.
  const legacyRestInterface = legacyCard.supportedInterfaces.find((i) => i.protocolBinding === 'HTTP+JSON');
  const legacyRest = new LegacyRestTransport({ endpoint: legacyRestInterface.url });
  const restOldSent = taskOf(await legacyRest.sendMessage(request('old rest', 'echo')));
  const restOldStream = [];
  for await (const ev of legacyRest.sendMessageStream(request('old rest stream', 'echo'))) {
    restOldStream.push(ev.payload?.$case ?? Object.keys(ev)[0]);
  }
  const restOldGot = await legacyRest.getTask({ tenant: '', id: restOldSent.id });
  let restOldDenied;
  try {
    await legacyRest.sendMessage(request('reset everything', 'admin-reset'));
    restOldDenied = null;
  } catch (e) {
    restOldDenied = String(e.message ?? e);
  }
  out.legacyRest = {
    endpoint: legacyRestInterface.url, state: stateName(restOldSent.status.state), artifacts: artifactTexts(restOldSent),
    reply: restOldSent.status.message?.parts?.[0]?.content?.value, stream: restOldStream, get: stateName(restOldGot.status.state),
    denied: restOldDenied,
  };

  // A rule on the message's text: the words split over two text parts, sent on each binding.
  const twoParts = () => {
    const r = request('please DROP', 'echo');
    r.message.parts.push({ ...r.message.parts[0], content: { $case: 'text', value: 'table users please' } });
    return r;
  };
  out.textDenied = {};
  for (const [binding, c] of [['jsonrpc', client], ['rest', rest], ['legacyRest', legacyRest]]) {
    try {
      await c.sendMessage(twoParts());
      out.textDenied[binding] = null;
    } catch (e) {
      out.textDenied[binding] = String(e.message ?? e);
    }
  }

  out.fetched = fetched;
  console.log(JSON.stringify(out));
  clearTimeout(timer);
} catch (e) {
  console.error('a2a client failed:', e?.stack ?? e, JSON.stringify({ ...out, fetched }));
  process.exit(1);
}
