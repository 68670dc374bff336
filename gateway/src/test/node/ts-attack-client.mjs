// The official MCP TypeScript SDK client as the victim of a hostile server. Usage:
//   node ts-attack-client.mjs <mcp-url> <case>...
// Declares sampling, elicitation and roots, with handlers that record that they ran (the harm a server
// request does happens in them). For each case, in order: "call:<name>" calls tool <name>, "list:<name>" lists
// tools with cursor <name> (so the server knows the case); then waits briefly for stray server requests and
// prints one line
//   CASE {"case":"...","handled":[...],"outcome":"result"|"error","detail":...,"tools":[...]}
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema, ElicitRequestSchema, ListRootsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const HARD_LIMIT_MS = 90_000;
const CALL_TIMEOUT_MS = 4_000;
const SETTLE_MS = 250;
setTimeout(() => {
  console.error(`ts-attack-client: not done within ${HARD_LIMIT_MS} ms`);
  process.exit(3);
}, HARD_LIMIT_MS).unref();

let handled = [];
const client = new Client({ name: 'tollgate-attack-victim', version: '1.0.0' },
  { capabilities: { sampling: {}, elicitation: { form: {}, url: {} }, roots: { listChanged: false } } });
client.setRequestHandler(CreateMessageRequestSchema, async () => {
  handled.push('sampling');
  return { role: 'assistant', content: { type: 'text', text: 'the model spoke' }, model: 'victim-model' };
});
client.setRequestHandler(ElicitRequestSchema, async () => {
  handled.push('elicitation');
  return { action: 'decline' };
});
client.setRequestHandler(ListRootsRequestSchema, async () => {
  handled.push('roots');
  return { roots: [{ uri: 'file:///home/victim', name: 'home' }] };
});
client.onerror = () => {}; // a refused or unreadable message surfaces as the call's outcome, not here

try {
  await client.connect(new StreamableHTTPClientTransport(new URL(process.argv[2])));
  for (const spec of process.argv.slice(3)) {
    const [kind, name] = spec.split(/:(.*)/s);
    handled = [];
    const line = { case: name };
    try {
      if (kind === 'list') {
        const listed = await client.listTools({ cursor: name }, { timeout: CALL_TIMEOUT_MS });
        line.tools = listed.tools.map((t) => t.name).sort();
      } else {
        const result = await client.callTool({ name, arguments: {} }, undefined, { timeout: CALL_TIMEOUT_MS });
        line.detail = result.content?.[0]?.text;
      }
      line.outcome = 'result';
    } catch (e) {
      line.outcome = 'error';
      line.detail = String(e.message ?? e).slice(0, 300);
    }
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    line.handled = [...handled];
    console.log('CASE ' + JSON.stringify(line));
  }
  await client.close();
  process.exit(0);
} catch (e) {
  console.error('ts-attack-client failed:', e);
  process.exit(2);
}
