// The MCP TypeScript SDK client doing the MCP authorization dance against whatever URL it is given, as an IDE or an
// agent would: its OAuthClientProvider answers the first 401 by discovering the protected-resource metadata named in
// WWW-Authenticate, then the authorization server's metadata, then runs the authorization-code flow with PKCE and the
// RFC 8707 resource parameter. The "user agent" step is a plain fetch of the authorization URL (the test's
// authorization server logs in without a form) whose redirect carries the code. Then it calls echo and prints one
// JSON line: the tools, the echo result, the metadata URL and resource the SDK used. Usage:
// node ts-oauth-client.mjs <mcp-url> <client-id>
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';

const HARD_LIMIT_MS = 45_000;
const timer = setTimeout(() => {
  console.error(`ts-oauth-client: no result within ${HARD_LIMIT_MS} ms`);
  process.exit(3);
}, HARD_LIMIT_MS);

const url = new URL(process.argv[2]);
const clientId = process.argv[3];
const redirect = 'http://127.0.0.1:1/callback';
let saved = { tokens: undefined, verifier: undefined, authorizationUrl: undefined };
const provider = {
  get redirectUrl() { return redirect; },
  get clientMetadata() {
    return { client_name: 'tollgate-ts-oauth-test', redirect_uris: [redirect], grant_types: ['authorization_code'], response_types: ['code'],
      token_endpoint_auth_method: 'none' };
  },
  clientInformation() { return { client_id: clientId }; },
  tokens() { return saved.tokens; },
  saveTokens(tokens) { saved.tokens = tokens; },
  redirectToAuthorization(authorizationUrl) { saved.authorizationUrl = authorizationUrl; },
  saveCodeVerifier(verifier) { saved.verifier = verifier; },
  codeVerifier() { return saved.verifier; },
};

async function connect() {
  const client = new Client({ name: 'tollgate-ts-oauth-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(url, { authProvider: provider });
  await client.connect(transport);
  return { client, transport };
}

try {
  let session;
  try {
    session = await connect();
    throw new Error('connected without signing in: the server did not ask for a token');
  } catch (e) {
    if (!(e instanceof UnauthorizedError)) throw e;
  }
  const authorizationUrl = saved.authorizationUrl;
  const answer = await fetch(authorizationUrl, { redirect: 'manual' });
  const location = answer.headers.get('location');
  if (!location) throw new Error(`the authorization server did not redirect (HTTP ${answer.status}) for ${authorizationUrl}: ${(await answer.text()).slice(0, 300)}`);
  const code = new URL(location).searchParams.get('code');
  const transport = new StreamableHTTPClientTransport(url, { authProvider: provider });
  await transport.finishAuth(code);
  session = await connect();
  const tools = await session.client.listTools();
  const echo = await session.client.callTool({ name: 'echo', arguments: { text: 'signed in' } });
  await session.client.close();
  console.log(JSON.stringify({
    resource: authorizationUrl.searchParams.get('resource'),
    authorizationEndpoint: `${authorizationUrl.origin}${authorizationUrl.pathname}`,
    codeChallengeMethod: authorizationUrl.searchParams.get('code_challenge_method'),
    scope: authorizationUrl.searchParams.get('scope'),
    tools: tools.tools.map((t) => t.name).sort(),
    echo: echo.content,
  }));
  clearTimeout(timer);
  process.exit(0);
} catch (e) {
  console.error(`ts-oauth-client: ${e.stack || e}`);
  process.exit(2);
}
