// Review BQ: what the MCP TypeScript SDK client reads from an SSE answer body, as its StreamableHTTPClientTransport does
// (eventsource-parser's EventSourceParserStream, then JSONRPCMessageSchema.parse(JSON.parse(event.data)) for events named
// message or unnamed). Usage: node review-bq-client-reads.mjs <file holding the body>. Prints one JSON line: the messages.
import { readFileSync } from 'node:fs';
import { EventSourceParserStream } from 'eventsource-parser/stream';
import { JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';

const bytes = readFileSync(process.argv[2]);
const stream = new Blob([bytes]).stream().pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
const messages = [];
for await (const event of stream) {
  if (!event.event || event.event === 'message') {
    if (!event.data) continue;
    messages.push(JSONRPCMessageSchema.parse(JSON.parse(event.data)));
  }
}
console.log(JSON.stringify(messages));
