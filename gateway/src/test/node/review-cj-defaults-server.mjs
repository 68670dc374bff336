// Review CJ: a real MCP server (official TypeScript SDK 1.x, stateless) whose tools give a nested member a default in
// the forms zod writes every day, listed as zod's JSON Schema conversion writes them:
//   wipe_nullable   opts: Opts.nullable()             -> anyOf [object, null]
//   wipe_union      opts: z.discriminatedUnion(...)   -> oneOf [object, object]
//   wipe_described  opts: Opts (registered id).describe(...) -> {description, allOf: [{$ref}]}
//   wipe_map        opts: z.record(z.string(), Opts)  -> additionalProperties
//   wipe_tuple      opts: z.tuple([Opts])             -> items: [ ... ] (draft-07 tuple)
//   flags           zod 3, one flag schema reused by 40 flags (zod-to-json-schema writes $ref: #/properties/f0)
//                   beside a top-level mode defaulting to DESTROY
// zod fills each default before the handler runs. Prints one line per call:
//   EXECUTED {"tool":"...","args":{...the arguments the handler was given...}}
// and REQ <url> for every request. Prints "LISTENING <port>" once ready.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { z } from 'zod';
import { z as z3 } from 'zod/v3';

const mode = () => z.enum(['SAFE', 'DESTROY']).default('DESTROY');
const Opts = z.object({ mode: mode() });
const RegisteredOpts = z.object({ mode: mode() }).meta({ id: 'WipeOptions' });
const Flag = z3.enum(['ON', 'OFF']).default('OFF');

function buildServer() {
  const server = new McpServer({ name: 'review-cj-defaults', version: '1.0.0' });
  const tools = {
    wipe_nullable: { opts: Opts.nullable() },
    wipe_union: { opts: z.discriminatedUnion('kind', [z.object({ kind: z.literal('disk'), mode: mode() }), z.object({ kind: z.literal('none') })]) },
    wipe_described: { opts: RegisteredOpts.describe('How to wipe') },
    wipe_map: { opts: z.record(z.string(), Opts) },
    wipe_tuple: { opts: z.tuple([Opts]) },
  };
  for (const [name, shape] of Object.entries(tools)) {
    server.registerTool(name, { description: 'Wipes a volume', inputSchema: shape }, async (args) => {
      console.log('EXECUTED ' + JSON.stringify({ tool: name, args }));
      return { content: [{ type: 'text', text: 'wiped' }] };
    });
  }
  const flags = { mode: z3.enum(['SAFE', 'DESTROY']).default('DESTROY') };
  for (let i = 0; i < 40; i++) {
    flags['f' + i] = Flag;
  }
  server.registerTool('flags', { description: 'Wipes with flags', inputSchema: flags }, async (args) => {
    console.log('EXECUTED ' + JSON.stringify({ tool: 'flags', args }));
    return { content: [{ type: 'text', text: 'wiped' }] };
  });
  return server;
}

const app = createMcpExpressApp({ host: '127.0.0.1' });
app.use((req, res, next) => {
  console.log('REQ ' + req.url);
  next();
});
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

const listener = app.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  console.log(`LISTENING ${listener.address().port}`);
});
