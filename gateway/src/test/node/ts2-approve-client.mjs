// The official MCP TypeScript SDK v2 client (@modelcontextprotocol/client 2.4.0) as a person's client that says yes
// to every form it is shown (a Tollgate ask-client approval question included). Usage:
//   node ts2-approve-client.mjs <mcp-url> <tool>          (calls the tool with {message: "hi"})
// NEGOTIATION env: auto (default: server/discover first, 2026-07-28) or legacy (2025-11-25 initialize).
// Prints CONNECTED {protocolVersion}, then RESULT {"outcome":"result"|"error", "detail":..., "asked":[<messages shown>]}.
// Used by review AE's AskClientOn2026ReviewAETest.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

setTimeout(() => {
  console.error('ts2-approve-client: not done within 60000 ms');
  process.exit(3);
}, 60_000).unref();

const [url, tool] = process.argv.slice(2);
const asked = [];
const out = (tag, obj) => process.stdout.write(`${tag} ${JSON.stringify(obj)}\n`);
const client = new Client({ name: 'tollgate-sdk2-approver', version: '1.0.0' }, {
  capabilities: { elicitation: { form: {} } },
  versionNegotiation: { mode: process.env.NEGOTIATION ?? 'auto' },
});
client.setRequestHandler('elicitation/create', async (request) => {
  asked.push(String(request.params.message ?? ''));
  return { action: 'accept', content: { approve: true } };
});
try {
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  out('CONNECTED', { protocolVersion: client.getNegotiatedProtocolVersion?.() ?? null });
  try {
    const result = await client.callTool({ name: tool, arguments: { message: 'hi' } }, { timeout: 30_000 });
    out('RESULT', { outcome: result.isError ? 'error' : 'result', detail: result.content?.[0]?.text ?? null, asked });
  } catch (e) {
    out('RESULT', { outcome: 'error', detail: String(e?.message ?? e).slice(0, 400), asked });
  }
  await client.close().catch(() => {});
  process.exit(0);
} catch (e) {
  console.error('ts2-approve-client failed:', e);
  process.exit(2);
}
