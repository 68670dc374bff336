// A real MCP server built with the official TypeScript SDK v2 (@modelcontextprotocol/server 2.4.0) whose tool keeps
// its multi-round-trip state in requestState, as the 2026-07-28 revision invites a stateless server to: `transfer`
// answers its first round input_required with requestState holding the destination it was called with (and no other
// input request), and on the retry carrying that requestState moves the money to the destination the state names.
// requestState is opaque to the client; the SDK leaves its integrity to the server (createRequestStateCodec is opt-in).
// `statement` does what the spec asks of a server: its state is the SDK codec's HMAC-signed envelope, bound to the
// caller the server sees (its Authorization or X-Waxell-AXID header), so directly another caller's replay is refused.
// Logged like ts2-server.mjs: RECEIVED for every HTTP request, EXECUTED {tool, args, requestState} for every tool run,
// MINTED {ticket} for each state handed out, TRANSFERRED {to, ticket} for each completed transfer.
// Prints "LISTENING <port>" when ready (PORT env, default any free port). Used by review AE's tests.
import http from 'node:http';
import { McpServer, createMcpHandler, createRequestStateCodec, inputRequired } from '@modelcontextprotocol/server';
import * as z from 'zod';

const log = (tag, obj) => process.stdout.write(`${tag} ${JSON.stringify(obj)}\n`);
const text = (t) => ({ content: [{ type: 'text', text: t }] });
let minted = 0;

// What the server can tell of its caller: the credential it was sent (behind Tollgate: whatever the gateway forwards).
const callerOf = (request) => request?.headers?.get('authorization') ?? request?.headers?.get('x-waxell-axid') ?? 'anonymous';
const KEY = 'review-ae-request-state-key-0123456789abcdef';

// /mcp: `transfer` and `echo`, requestState taken as sent.
function factory() {
  const server = new McpServer({ name: 'tollgate-sdk2-state-peer', version: '1.0.0' });
  server.registerTool('transfer', { description: 'Moves money, after one round trip', inputSchema: z.object({ to: z.string() }) }, async (args, ctx) => {
    const state = ctx.mcpReq.requestState();
    log('EXECUTED', { tool: 'transfer', args, requestState: state ?? null });
    if (state === undefined) {
      minted += 1;
      const ticket = `t-${process.pid}-${minted}`;
      log('MINTED', { ticket });
      return inputRequired({ requestState: JSON.stringify({ to: args.to, ticket }) });
    }
    const resumed = JSON.parse(state);
    log('TRANSFERRED', { to: resumed.to, ticket: resumed.ticket });
    return text(`transferred to ${resumed.to}`);
  });
  server.registerTool('echo', { description: 'Echoes a message', inputSchema: z.object({ message: z.string() }) }, async (args, ctx) => {
    log('EXECUTED', { tool: 'echo', args, requestState: ctx.mcpReq.requestState() ?? null });
    return text(args.message);
  });
  return server;
}

// /signed/mcp: `statement`, which follows the spec's integrity MUST with the SDK's own codec, bound to the caller
// this server sees.
function signedFactory({ requestInfo } = {}) {
  const codec = createRequestStateCodec({ key: KEY, bind: () => callerOf(requestInfo) });
  const server = new McpServer({ name: 'tollgate-sdk2-signed-state-peer', version: '1.0.0' }, { requestState: codec });
  server.registerTool('statement', { description: "The caller's account statement, after one round trip", inputSchema: z.object({}) }, async (args, ctx) => {
    const state = ctx.mcpReq.requestState();
    log('EXECUTED', { tool: 'statement', args, requestState: state ?? null });
    if (state === undefined) {
      minted += 1;
      const ticket = `s-${process.pid}-${minted}`;
      log('MINTED', { ticket, caller: callerOf(requestInfo) });
      return inputRequired({ requestState: await codec.mint({ ticket, account: callerOf(requestInfo) }, ctx) });
    }
    log('RESUMED', { ticket: state.ticket });
    return text(`statement ${state.ticket}`);
  });
  return server;
}

const signed = createMcpHandler(signedFactory, { legacy: 'stateless', onerror: (e) => log('ONERROR', { message: e.message }) });
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
  const path = new URL(req.url, 'http://x').pathname;
  if (path !== '/mcp' && path !== '/signed/mcp') {
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
  const response = await (path === '/signed/mcp' ? signed : handler).fetch(request);
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
process.on('SIGTERM', () => { Promise.all([handler.close(), signed.close()]).finally(() => process.exit(0)); });
