// Review BT: a real MCP server built with the official TypeScript SDK v2 (@modelcontextprotocol/server 2.4.0) whose
// resource read keeps its multi-round-trip state in requestState, as the 2026-07-28 revision lets a stateless server do
// (resources/read is one of the multi-round-trip methods): `file:///reports/{name}` answers its first round
// input_required with a requestState-only leg holding the uri it was asked for, and on the retry serves the report the
// state names (the server trusts its own state: that is what the gateway's sealing of requestState is for). The q3
// report holds a card number; the others do not. Also `deploy` (below), ASKED / DEPLOYED logged.
// Logged: RECEIVED {body} for every HTTP request, MINTED {uri} for each state handed out, SERVED {uri, requested} for each
// read completed on a retry (requested: the uri the retry's own params named). Prints "LISTENING <port>" when ready.
import http from 'node:http';
import { McpServer, ResourceTemplate, acceptedContent, createMcpHandler, inputRequired } from '@modelcontextprotocol/server';
import * as z from 'zod';

const log = (tag, obj) => process.stdout.write(`${tag} ${JSON.stringify(obj)}\n`);

function factory() {
  const server = new McpServer({ name: 'tollgate-sdk2-resume-peer', version: '1.0.0' });
  server.registerResource('reports', new ResourceTemplate('file:///reports/{name}', { list: undefined }), { mimeType: 'text/plain' },
    async (uri, variables, ctx) => {
      const state = ctx.mcpReq.requestState();
      if (state === undefined) {
        log('MINTED', { uri: uri.href });
        return inputRequired({ requestState: JSON.stringify({ uri: uri.href }) });
      }
      const resumed = JSON.parse(state);
      log('SERVED', { uri: resumed.uri, requested: uri.href });
      const text = resumed.uri === 'file:///reports/q3' ? 'q3 payroll: card 4111 1111 1111 1111' : `public report ${resumed.uri}`;
      return { contents: [{ uri: resumed.uri, mimeType: 'text/plain', text }] };
    });
  // `deploy` is the SDK's own "write-once tool requesting confirmation" example: no requestState, it asks its user to
  // confirm with an elicitation embedded in an input_required answer and deploys on the retry carrying the yes.
  const confirmation = z.object({ approve: z.boolean() });
  server.registerTool('deploy', { description: 'Deploys, once its user confirms', inputSchema: z.object({ message: z.string() }) },
    async ({ message }, ctx) => {
      const confirmed = acceptedContent(ctx.mcpReq.inputResponses, 'confirm', confirmation);
      if (confirmed?.approve !== true) {
        log('ASKED', { message });
        return inputRequired({ inputRequests: { confirm: inputRequired.elicit({ message: `Deploy ${message}?`, requestedSchema: confirmation }) } });
      }
      log('DEPLOYED', { message });
      return { content: [{ type: 'text', text: `deployed ${message}` }] };
    });
  return server;
}

const handler = createMcpHandler(factory, { legacy: 'stateless', onerror: (e) => log('ONERROR', { message: e.message }) });

const httpServer = http.createServer(async (req, res) => {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const body = Buffer.concat(chunks);
  log('RECEIVED', { method: req.method, body: body.length ? body.toString('utf8') : null });
  if (new URL(req.url, 'http://x').pathname !== '/mcp') {
    res.writeHead(404).end();
    return;
  }
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
  const request = new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url}`, {
    method: req.method, headers, ...(body.length && req.method !== 'GET' && req.method !== 'HEAD' && { body }),
  });
  const response = await handler.fetch(request);
  res.writeHead(response.status, Object.fromEntries(response.headers));
  if (!response.body) {
    res.end();
    return;
  }
  try {
    for await (const chunk of response.body) res.write(chunk);
  } catch { /* the client went away */ }
  res.end();
});

httpServer.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`LISTENING ${httpServer.address().port}\n`);
});
process.on('SIGTERM', () => { handler.close().finally(() => process.exit(0)); });
