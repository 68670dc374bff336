// A real A2A client (@a2a-js/sdk 1.3.0) that authenticates to the gateway with a header on every request it makes (the
// SDK's fetchImpl option, as an application adds its credential): resolves an agent's card and sends one message.
// Usage: node a2a/send-with-header-client.mjs <agent-base-url> <header-name> <header-value>
// Prints one JSON line: {outcome: "result"|"error", detail}. Exits 0 either way.
import { ClientFactory, ClientFactoryOptions, DefaultAgentCardResolver, JsonRpcTransportFactory, RestTransportFactory } from '@a2a-js/sdk/client';
import { Role } from '@a2a-js/sdk';

const timer = setTimeout(() => {
  console.error('send client: no outcome within 20000 ms');
  process.exit(3);
}, 20_000);

const [base, headerName, headerValue] = process.argv.slice(2);
const fetchImpl = (input, init = {}) => {
  const headers = new Headers(init.headers ?? {});
  headers.set(headerName, headerValue);
  return fetch(input, { ...init, headers });
};
const request = {
  tenant: '', configuration: undefined, metadata: undefined,
  message: {
    messageId: 'client-1', contextId: '', taskId: '', role: Role.ROLE_USER, metadata: undefined, extensions: [], referenceTaskIds: [],
    parts: [{ content: { $case: 'text', value: 'hello' }, mediaType: 'text/plain', filename: '', metadata: undefined }],
  },
};
try {
  const factory = new ClientFactory(ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
    cardResolver: new DefaultAgentCardResolver({ fetchImpl }),
    transports: [new JsonRpcTransportFactory({ fetchImpl }), new RestTransportFactory({ fetchImpl })],
  }));
  const client = await factory.createFromUrl(base);
  await client.sendMessage(request);
  console.log(JSON.stringify({ outcome: 'result' }));
} catch (e) {
  console.log(JSON.stringify({ outcome: 'error', detail: String(e?.message ?? e) }));
}
clearTimeout(timer);
