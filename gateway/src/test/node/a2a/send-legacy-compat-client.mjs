// A real A2A client (@a2a-js/sdk 1.3.0) with the SDK's documented 0.3 compatibility switched on (legacyCompat in the card
// resolver and the JSON-RPC transport, as an application talking to 0.3 agents configures it): resolves an agent's card
// and sends one message. Usage: node a2a/send-legacy-compat-client.mjs <agent-base-url>
// Prints one JSON line: {outcome: "result"|"error", detail}. Exits 0 either way.
import { ClientFactory, ClientFactoryOptions, DefaultAgentCardResolver, JsonRpcTransportFactory } from '@a2a-js/sdk/client';
import { Role } from '@a2a-js/sdk';

const timer = setTimeout(() => {
  console.error('send client: no outcome within 20000 ms');
  process.exit(3);
}, 20_000);

const legacyCompat = { enabled: true };
const request = {
  tenant: '', configuration: undefined, metadata: undefined,
  message: {
    messageId: 'client-1', contextId: '', taskId: '', role: Role.ROLE_USER, metadata: undefined, extensions: [], referenceTaskIds: [],
    parts: [{ content: { $case: 'text', value: 'hello' }, mediaType: 'text/plain', filename: '', metadata: undefined }],
  },
};
try {
  const factory = new ClientFactory(ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
    cardResolver: new DefaultAgentCardResolver({ legacyCompat }),
    transports: [new JsonRpcTransportFactory({ legacyCompat })],
  }));
  const client = await factory.createFromUrl(process.argv[2]);
  await client.sendMessage(request);
  console.log(JSON.stringify({ outcome: 'result' }));
} catch (e) {
  console.log(JSON.stringify({ outcome: 'error', detail: String(e?.message ?? e) }));
}
clearTimeout(timer);
