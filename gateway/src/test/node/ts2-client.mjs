// The official MCP TypeScript SDK v2 client (@modelcontextprotocol/client 2.4.0). Usage:
//   node ts2-client.mjs <mcp-url> <spec>...      spec = list | call:<tool>
// NEGOTIATION env: auto (default here: server/discover first, 2026-07-28, falling back to initialize) or
// legacy (the SDK's own default: 2025-11-25 initialize). Sampling, elicitation and roots handlers record that
// they ran (the harm an input request does happens in them). Prints CONNECTED {protocolVersion, era}, then
// per spec: CASE {"case":..., "outcome":"result"|"error", "detail":..., "handled":[...]}.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

const HARD_LIMIT_MS = 60_000;
setTimeout(() => {
  console.error(`ts2-client: not done within ${HARD_LIMIT_MS} ms`);
  process.exit(3);
}, HARD_LIMIT_MS).unref();

const [url, ...specs] = process.argv.slice(2);
const mode = process.env.NEGOTIATION ?? 'auto';
const handled = [];
const out = (tag, obj) => process.stdout.write(`${tag} ${JSON.stringify(obj)}\n`);

const client = new Client({ name: 'tollgate-sdk2-client', version: '1.0.0' }, {
  capabilities: { sampling: {}, elicitation: { form: {}, url: {} }, roots: { listChanged: true } },
  versionNegotiation: { mode },
});
client.setRequestHandler('sampling/createMessage', async () => {
  handled.push('sampling');
  return { role: 'assistant', content: { type: 'text', text: 'the model spoke' }, model: 'victim-model', stopReason: 'endTurn' };
});
client.setRequestHandler('elicitation/create', async (request) => {
  handled.push('elicitation');
  return request.params.mode === 'url' ? { action: 'accept' } : { action: 'accept', content: {} };
});
client.setRequestHandler('roots/list', async () => {
  handled.push('roots');
  return { roots: [{ uri: 'file:///home/victim', name: 'home' }] };
});

try {
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  out('CONNECTED', { protocolVersion: client.getNegotiatedProtocolVersion?.() ?? null, era: client.getProtocolEra?.() ?? null });
  for (const spec of specs) {
    handled.length = 0;
    try {
      if (spec === 'list') {
        const { tools } = await client.listTools();
        out('CASE', { case: spec, outcome: 'result', detail: tools.map((t) => t.name).sort(), handled: [...handled] });
      } else {
        const name = spec.slice('call:'.length);
        const args = name === 'echo' ? { message: 'hi' } : name === 'deploy' ? { region: 'eu' } : {};
        const result = await client.callTool({ name, arguments: args });
        out('CASE', { case: spec, outcome: result.isError ? 'error' : 'result', detail: result.content?.[0]?.text ?? null, handled: [...handled] });
      }
    } catch (e) {
      out('CASE', { case: spec, outcome: 'error', detail: String(e?.message ?? e).slice(0, 400), handled: [...handled] });
    }
  }
  await client.close().catch(() => {});
  process.exit(0);
} catch (e) {
  console.error('ts2-client failed:', e);
  process.exit(2);
}
