// A real A2A client (@a2a-js/sdk 1.3.0) that only resolves an agent's card. Usage: node a2a/card-client.mjs <agent-base-url>
// Prints one JSON line: the card's description and its skills as the SDK hands them to an application
// ({id, name, description, examples}), or {error} when the SDK could not resolve the card. Exits 0 either way.
import { ClientFactory } from '@a2a-js/sdk/client';

const timer = setTimeout(() => {
  console.error('card client: no card within 20000 ms');
  process.exit(3);
}, 20_000);

try {
  const client = await new ClientFactory().createFromUrl(process.argv[2]);
  const card = await client.getAgentCard();
  console.log(JSON.stringify({
    description: card.description,
    skills: card.skills.map((s) => ({ id: s.id, name: s.name, description: s.description, examples: s.examples })),
  }));
} catch (e) {
  console.log(JSON.stringify({ error: String(e?.message ?? e) }));
}
clearTimeout(timer);
