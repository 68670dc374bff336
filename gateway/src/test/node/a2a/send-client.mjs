// A real A2A client (@a2a-js/sdk 1.3.0) that resolves an agent's card and sends one message. Usage:
//   node a2a/send-client.mjs <agent-base-url> [stream]
// Prints one JSON line: {outcome: "result"|"error", detail} where detail is the error message the SDK throws (what an
// agent hands its model when the call fails). Exits 0 either way.
import { ClientFactory } from '@a2a-js/sdk/client';
import { Role } from '@a2a-js/sdk';

const timer = setTimeout(() => {
  console.error('send client: no outcome within 20000 ms');
  process.exit(3);
}, 20_000);

const request = {
  tenant: '', configuration: undefined, metadata: undefined,
  message: {
    messageId: 'client-1', contextId: '', taskId: '', role: Role.ROLE_USER, metadata: undefined, extensions: [], referenceTaskIds: [],
    parts: [{ content: { $case: 'text', value: 'hello' }, mediaType: 'text/plain', filename: '', metadata: undefined }],
  },
};
try {
  const client = await new ClientFactory().createFromUrl(process.argv[2]);
  if (process.argv[3] === 'stream') {
    for await (const ev of client.sendMessageStream(request)) {
      void ev;
    }
  } else {
    await client.sendMessage(request);
  }
  console.log(JSON.stringify({ outcome: 'result' }));
} catch (e) {
  console.log(JSON.stringify({ outcome: 'error', detail: String(e?.message ?? e) }));
}
clearTimeout(timer);
