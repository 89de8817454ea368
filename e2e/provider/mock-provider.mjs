// A strict OAuth 2.0 / OpenID Connect authorization server for pixie-auth's end-to-end tests.
// Node built-ins only; listens on 127.0.0.1 and never contacts the network.
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { authorize, decide } from './authorize.mjs';
import { DEFAULT_CLIENTS, SUPPORTED_SCOPES } from './config.mjs';
import { CONTROL_ROUTES } from './control.mjs';
import { dropBrowserResend, runWithFaults } from './faults.mjs';
import { OAuthError, answerPreflight, applyCors, readBody, sendJson, sendOAuthError } from './http.mjs';
import { createSigningKey } from './jwt.mjs';
import { cognitoLogout, endSession } from './logout.mjs';
import { endpointPaths } from './profiles.mjs';
import { echoApi, protectedApi, redirectApi, streamApi, userinfo } from './resources.mjs';
import { ProviderState } from './state.mjs';
import { revoke, token } from './token.mjs';

const LOOPBACK = '127.0.0.1';

function metadata(state) {
  const { issuer, origin, config } = state;
  const paths = endpointPaths(config.profile);
  return {
    issuer,
    authorization_endpoint: origin + paths.authorize,
    token_endpoint: origin + paths.token,
    jwks_uri: origin + paths.jwks,
    userinfo_endpoint: origin + paths.userinfo,
    ...(config.revocationEndpoint && paths.revoke && { revocation_endpoint: origin + paths.revoke }),
    // Cognito publishes its own /logout there, which is no RP-Initiated Logout endpoint (profiles.mjs).
    ...(config.endSessionEndpoint && (paths.endSession ?? paths.cognitoLogout) && {
      end_session_endpoint: origin + (paths.endSession ?? paths.cognitoLogout),
    }),
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['none'],
    revocation_endpoint_auth_methods_supported: ['none'],
    id_token_signing_alg_values_supported: ['RS256'],
    scopes_supported: SUPPORTED_SCOPES,
    subject_types_supported: ['public'],
    claims_supported: ['iss', 'sub', 'aud', 'azp', 'exp', 'iat', 'auth_time', 'nonce', 'name', 'email'],
    prompt_values_supported: ['none', 'login'],
    // RFC 9207 §3: a server that leaves iss out must not promise it, or clients rightly refuse it.
    authorization_response_iss_parameter_supported: config.includeIss,
  };
}

async function discovery(ctx) {
  await runWithFaults(ctx, 'discovery', undefined, () => sendJson(ctx.res, 200, metadata(ctx.state)));
}

function jwks(ctx) {
  sendJson(ctx.res, 200, { keys: [ctx.key.jwk] });
}

// The protocol endpoints, which each profile places at its own paths (profiles.mjs). The config
// flags only hide endpoints from discovery; the endpoints still answer and count, so a test can
// prove a client did not call an endpoint it was never told about.
const ENDPOINTS = {
  discovery: { GET: discovery },
  authorize: { GET: authorize },
  token: { POST: token },
  jwks: { GET: jwks },
  userinfo: { GET: userinfo, POST: userinfo },
  revoke: { POST: revoke },
  endSession: { GET: endSession },
  cognitoLogout: { GET: cognitoLogout },
};

// Where every profile has them: the mock's own login form, sample APIs and control API.
const FIXED_ROUTES = {
  '/.well-known/oauth-authorization-server': { GET: discovery },
  '/authorize/decision': { POST: decide },
  '/api/me': { GET: protectedApi },
  '/api/echo': { POST: echoApi },
  '/api/stream': { GET: streamApi },
  '/api/redirect': { GET: redirectApi },
  ...CONTROL_ROUTES,
};

function routeFor(state, pathname) {
  const paths = endpointPaths(state.config.profile);
  const endpoint = Object.keys(paths).find((name) => paths[name] === pathname);
  return endpoint ? ENDPOINTS[endpoint] : FIXED_ROUTES[pathname];
}

async function handleRequest(ctx) {
  const { req, res } = ctx;
  try {
    ctx.url = new URL(req.url, ctx.state.issuer);
    logWhenDone(ctx);
    applyCors(req, res);
    if (req.method === 'OPTIONS') return answerPreflight(req, res);
    ctx.rawBody = await readBody(req);
    if (dropBrowserResend(ctx)) return;
    const route = routeFor(ctx.state, ctx.url.pathname);
    if (!route) return sendJson(res, 404, { error: 'not_found', error_description: `no endpoint at ${ctx.url.pathname}` });
    const handler = route[req.method];
    if (!handler) {
      return sendJson(res, 405, { error: 'invalid_request', error_description: `${req.method} not allowed` }, { Allow: Object.keys(route).join(', ') });
    }
    await handler(ctx);
  } catch (err) {
    respondToError(res, err);
  }
}

function respondToError(res, err) {
  if (res.headersSent || res.destroyed) return;
  if (err instanceof OAuthError) return sendOAuthError(res, err);
  console.error('mock provider: unexpected error', err);
  sendJson(res, 500, { error: 'server_error', error_description: String(err?.message ?? err) });
}

/**
 * Logs every request except the control API's own, once its response is sent or dropped (status 0).
 * A browser resend swallowed after a 'drop' fault is logged with droppedResend: true.
 */
function logWhenDone(ctx) {
  if (ctx.url.pathname.startsWith('/__control/')) return;
  ctx.res.on('close', () => {
    ctx.state.record({
      t: Date.now(),
      method: ctx.req.method,
      path: ctx.url.pathname,
      ...(ctx.grantType !== undefined && { grantType: ctx.grantType }),
      status: ctx.res.headersSent ? ctx.res.statusCode : 0,
      ...(ctx.droppedResend && { droppedResend: true }),
    });
  });
}

/** A sleep whose timers close() can cancel, so a pending 'delay' fault never holds the process open. */
function cancellableSleeper() {
  const timers = new Set();
  const sleep = (ms) => new Promise((resolve) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      resolve();
    }, ms);
    timers.add(timer);
  });
  const cancelAll = () => timers.forEach(clearTimeout);
  return { sleep, cancelAll };
}

function assertLoopbackHost(host) {
  if (host !== LOOPBACK && host !== 'localhost') {
    throw new Error(`mock provider only listens on ${LOOPBACK}; refusing host ${host}`);
  }
}

/**
 * Starts the provider. `host` may only name the loopback interface; port 0 picks a free port,
 * and the issuer then carries the real one.
 */
export async function startMockProvider({ port = 4010, host = LOOPBACK, clients = DEFAULT_CLIENTS, config } = {}) {
  assertLoopbackHost(host);
  const key = createSigningKey();
  const state = new ProviderState({ clients, config });
  const { sleep, cancelAll } = cancellableSleeper();
  const server = createServer((req, res) => handleRequest({ req, res, state, key, sleep }));
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, resolve);
  });
  const url = `http://${LOOPBACK}:${server.address().port}`;
  state.origin = url;
  const close = () => new Promise((resolve) => {
    cancelAll();
    server.close(() => resolve());
    server.closeAllConnections();
  });
  return { url, close, state };
}

async function runFromCommandLine() {
  const provider = await startMockProvider({
    port: Number(process.env.MOCK_PROVIDER_PORT ?? 4010),
    host: process.env.MOCK_PROVIDER_HOST ?? LOOPBACK,
  });
  console.log(`mock provider listening on ${provider.url}`);
  const stop = () => provider.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runFromCommandLine().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
