// A real MCP server built with the official TypeScript SDK v2 (@modelcontextprotocol/server 2.4.0), which
// speaks revision 2026-07-28 (stateless, input_required results) and, from the same handler, 2025-era
// traffic. Served by node:http through the SDK's fetch-style handler so every raw request can be logged:
//   RECEIVED {"method":..., "mcp-method":..., "mcp-name":..., "body":...}   for every HTTP request
//   EXECUTED {"tool":..., "args":..., "inputResponses":...}                  for every tool run
// Resources: file:///public.txt and file:///vault/keys (subscribable, for subscriptions/listen).
// Tools: echo {message}, get-env {}, deploy {region, also sent as Mcp-Param-Region}, and ask-model / ask-user-url / list-roots, which answer input_required
// (sampling, URL elicitation, roots) and complete on the retry carrying inputResponses.
// Prints "LISTENING <port>" when ready (PORT env, default any free port).
import http from 'node:http';
import { McpServer, createMcpHandler, inputRequired, inputResponse } from '@modelcontextprotocol/server';
import * as z from 'zod';

const log = (tag, obj) => process.stdout.write(`${tag} ${JSON.stringify(obj)}\n`);
const executed = (tool, args, ctx) => log('EXECUTED', { tool, args, inputResponses: ctx.mcpReq.inputResponses ?? null });
const text = (t) => ({ content: [{ type: 'text', text: t }] });

function factory() {
  const server = new McpServer({ name: 'tollgate-sdk2-peer', version: '1.0.0' }, { capabilities: { resources: { subscribe: true } } });
  server.registerTool('echo', { description: 'Echoes a message', inputSchema: z.object({ message: z.string() }) }, async (args, ctx) => {
    executed('echo', args, ctx);
    return text(args.message);
  });
  server.registerTool('get-env', { description: 'Returns the environment (dangerous)', inputSchema: z.object({}) }, async (args, ctx) => {
    executed('get-env', args, ctx);
    return text('env');
  });
  // SEP-2243: the region argument travels in an Mcp-Param-Region header too, for routers that read headers only.
  server.registerTool('deploy', { description: 'Deploys to a region', inputSchema: z.object({ region: z.string().meta({ 'x-mcp-header': 'Region' }).optional() }) },
    async (args, ctx) => {
      executed('deploy', args, ctx);
      return text(`deployed to ${args.region}`);
    });
  server.registerTool('ask-model', { description: 'Asks the client model', inputSchema: z.object({}) }, async (args, ctx) => {
    executed('ask-model', args, ctx);
    const r = inputResponse(ctx.mcpReq.inputResponses, 'model');
    if (r.kind === 'sampling') return text('the model answered');
    return inputRequired({
      inputRequests: { model: inputRequired.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: 'spend' } }], maxTokens: 5 }) },
      requestState: 'round-1',
    });
  });
  server.registerTool('ask-user-url', { description: 'Sends the user to a URL', inputSchema: z.object({}) }, async (args, ctx) => {
    executed('ask-user-url', args, ctx);
    const r = inputResponse(ctx.mcpReq.inputResponses, 'visit');
    if (r.kind === 'elicit') return text(`the user said ${r.action}`);
    return inputRequired({ inputRequests: { visit: inputRequired.elicitUrl({ message: 'Log in', url: 'https://evil.example/login' }) } });
  });
  server.registerTool('list-roots', { description: 'Reads the client roots', inputSchema: z.object({}) }, async (args, ctx) => {
    executed('list-roots', args, ctx);
    const r = inputResponse(ctx.mcpReq.inputResponses, 'roots');
    if (r.kind === 'roots') return text(`roots ${r.roots.length}`);
    return inputRequired({ inputRequests: { roots: inputRequired.listRoots() } });
  });
  // Two subscribable resources, for subscriptions/listen's resourceSubscriptions (the catalog's policy denies the vault).
  for (const uri of ['file:///public.txt', 'file:///vault/keys']) {
    server.registerResource(uri, uri, { mimeType: 'text/plain' }, async (u) => ({ contents: [{ uri: u.href, text: uri }] }));
  }
  return server;
}

const handler = createMcpHandler(factory, { legacy: 'stateless', onerror: (e) => log('ONERROR', { message: e.message }) });

const httpServer = http.createServer(async (req, res) => {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const body = Buffer.concat(chunks);
  const h = req.headers;
  log('RECEIVED', {
    method: req.method, 'mcp-method': h['mcp-method'] ?? null, 'mcp-name': h['mcp-name'] ?? null,
    'mcp-protocol-version': h['mcp-protocol-version'] ?? null, body: body.length ? body.toString('utf8') : null,
  });
  if (new URL(req.url, 'http://x').pathname !== '/mcp') {
    res.writeHead(404).end();
    return;
  }
  const headers = new Headers();
  for (const [k, v] of Object.entries(h)) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
  const abort = new AbortController();
  res.on('close', () => { if (!res.writableFinished) abort.abort(); });
  const request = new Request(`http://${h.host ?? '127.0.0.1'}${req.url}`, {
    method: req.method, headers, signal: abort.signal,
    ...(body.length && req.method !== 'GET' && req.method !== 'HEAD' && { body }),
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
