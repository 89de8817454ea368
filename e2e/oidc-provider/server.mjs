// oidc-provider (OpenID Certified) configured for pixie-auth's e2e tests: a public SPA client with
// PKCE, rotating refresh tokens, revocation, RP-initiated logout, DPoP (nonces required), PAR and
// resource indicators. Listens on 127.0.0.1 only and never contacts the network.
//
// Test-only routes, under /__test/:
//   GET  /__test/stats                  counters from the provider's events (see `stats` below)
//   POST /__test/reset {accessTokenTtl} zeroes the counters and sets the access token lifetime (s)
//   GET  /__test/refresh-token?token=…  { state: 'active' | 'consumed' | 'unknown' }
//   GET  /__test/last-tokens            the last token response, with issuedAtMs (for token isolation's tests)
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import Provider, { errors } from 'oidc-provider';

const HOST = '127.0.0.1';
const PORT = Number(process.env.PIXIE_OIDC_PROVIDER_PORT ?? 4020);
const ISSUER = `http://${HOST}:${PORT}`;
const APP = 'http://localhost:5173';
const DEFAULT_ACCESS_TOKEN_TTL = 10;
const MAX_BODY_BYTES = 16 * 1024;

/** The APIs this server issues access tokens for (RFC 8707), as JWTs so a test can read `aud`. */
const RESOURCE_SERVERS = {
  'https://api.example.test/': { scope: 'api:read api:write' },
  'https://reports.example.test/': { scope: 'reports:read' },
};

const settings = { accessTokenTtl: DEFAULT_ACCESS_TOKEN_TTL };
let stats = emptyStats();
/** The last token response (see /__test/last-tokens). */
let lastTokens = null;

function emptyStats() {
  return {
    tokenRequests: { authorization_code: 0, refresh_token: 0, total: 0 },
    tokenErrors: {},
    refreshTokensConsumed: 0,
    grantsRevoked: 0,
    endSessions: 0,
    pushedAuthorizationRequests: 0,
    authorizationErrors: {},
    serverErrors: 0,
  };
}

const count = (table, key) => {
  table[key] = (table[key] ?? 0) + 1;
};

const spaClient = (clientId, extra = {}) => ({
  client_id: clientId,
  application_type: 'web',
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  // The last one: the harness on the provider's site (127.0.0.1), where a hidden iframe gets the
  // provider's SameSite=Lax session cookie (e2e/attacks/new-tokens-iframe.spec.ts).
  redirect_uris: [`${APP}/callback.html`, `${APP}/`, 'http://127.0.0.1:5173/silent-callback.html'],
  post_logout_redirect_uris: [`${APP}/logged-out.html`],
  ...extra,
});

const page = (title, body) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>
<body><h1>${title}</h1>${body}</body></html>`;

const escapeHtml = (text) =>
  String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

const provider = new Provider(ISSUER, {
  clients: [
    spaClient('pixie-e2e'),
    // The same SPA, registered so that the server refuses its authorization requests unless they
    // were pushed first (RFC 9126 §6).
    spaClient('pixie-e2e-par', { require_pushed_authorization_requests: true }),
  ],
  jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'e2e-rs256', use: 'sig', alg: 'RS256' }] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  findAccount: (_ctx, sub) => ({
    accountId: sub,
    claims: () => ({ sub, name: `User ${sub}` }),
  }),
  claims: { openid: ['sub'], profile: ['name'] },
  scopes: ['openid', 'offline_access', 'profile'],
  responseTypes: ['code'],
  pkce: { required: () => true },
  // A browser app keeps its session through rotating refresh tokens; with `offline_access` alone
  // the server would drop the scope unless every login sent prompt=consent (OIDC Core §11).
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  // Always, including for DPoP-bound tokens (the default stops rotating those): the tests check
  // rotation and the reuse detection that revokes the whole grant.
  rotateRefreshToken: true,
  // The token, revocation and PAR endpoints answer the SPA's own origin only.
  clientBasedCORS: (_ctx, origin, client) => client.redirectUris.some((uri) => new URL(uri).origin === origin),
  ttl: {
    AccessToken: () => settings.accessTokenTtl,
    AuthorizationCode: 60,
    IdToken: 3600,
    RefreshToken: 3600,
    Grant: 3600,
    Session: 3600,
    Interaction: 600,
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    revocation: { enabled: true, allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: (ctx, form) => {
        ctx.body = page('Sign out', `${form}<button id="logout" type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>`);
      },
      postLogoutSuccessSource: (ctx) => {
        ctx.body = page('Signed out', '');
      },
    },
    // Nonces required: every client has to get the use_dpop_nonce retry right (RFC 9449 §8).
    dPoP: { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true },
    pushedAuthorizationRequests: { enabled: true },
    resourceIndicators: {
      enabled: true,
      getResourceServerInfo: (_ctx, resource) => {
        const server = RESOURCE_SERVERS[resource];
        if (!server) throw new errors.InvalidTarget();
        return { ...server, accessTokenFormat: 'jwt', accessTokenTTL: settings.accessTokenTtl };
      },
    },
  },
});

provider.on('grant.success', (ctx) => {
  lastTokens = { ...ctx.body, issuedAtMs: Date.now() };
  count(stats.tokenRequests, ctx.oidc.params.grant_type);
  stats.tokenRequests.total += 1;
});
provider.on('grant.error', (_ctx, error) => count(stats.tokenErrors, error.error ?? 'unknown'));
provider.on('authorization.error', (_ctx, error) => count(stats.authorizationErrors, error.error ?? 'unknown'));
provider.on('refresh_token.consumed', () => (stats.refreshTokensConsumed += 1));
provider.on('grant.revoked', () => (stats.grantsRevoked += 1));
provider.on('end_session.success', () => (stats.endSessions += 1));
provider.on('pushed_authorization_request.success', () => (stats.pushedAuthorizationRequests += 1));
provider.on('server_error', (_ctx, error) => {
  stats.serverErrors += 1;
  console.error('oidc-provider server_error:', error);
});

async function readBody(req) {
  let size = 0;
  const chunks = [];
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const send = (res, status, type, body) => {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
};
const sendJson = (res, status, value) => send(res, status, 'application/json', JSON.stringify(value));

/** The login (any username) and consent pages, driven by Playwright like a person would. */
async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return send(res, 400, 'text/plain', 'interaction mismatch');
  const { prompt, params, session } = details;
  if (req.method === 'GET' && !action) {
    const form =
      prompt.name === 'login'
        ? `<form method="post" action="/interaction/${uid}/login">
             <label>Username <input id="username" name="username" required autofocus></label>
             <button id="sign-in" type="submit">Sign in</button></form>`
        : `<p>${escapeHtml(params.client_id)} asks for: ${escapeHtml(params.scope)}</p>
           <form method="post" action="/interaction/${uid}/consent"><button id="allow" type="submit">Allow</button></form>
           <form method="post" action="/interaction/${uid}/abort"><button id="deny" type="submit">Deny</button></form>`;
    return send(res, 200, 'text/html; charset=utf-8', page(prompt.name === 'login' ? 'Sign in' : 'Consent', form));
  }
  if (req.method !== 'POST') return send(res, 405, 'text/plain', 'method not allowed');
  const form = new URLSearchParams(await readBody(req));
  let result;
  if (action === 'login' && prompt.name === 'login') {
    const username = form.get('username')?.trim();
    if (!username) return send(res, 400, 'text/plain', 'username required');
    result = { login: { accountId: username } };
  } else if (action === 'consent' && prompt.name === 'consent') {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const missing = prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(resource, scopes.join(' '));
    }
    result = { consent: { grantId: await grant.save() } };
  } else if (action === 'abort') {
    result = { error: 'access_denied', error_description: 'The user denied the request' };
  } else {
    return send(res, 400, 'text/plain', `unexpected ${action} during ${prompt.name}`);
  }
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: action === 'consent' });
}

async function testRoute(req, res, url) {
  if (url.pathname === '/__test/stats' && req.method === 'GET') return sendJson(res, 200, stats);
  if (url.pathname === '/__test/reset' && req.method === 'POST') {
    const { accessTokenTtl = DEFAULT_ACCESS_TOKEN_TTL } = JSON.parse((await readBody(req)) || '{}');
    settings.accessTokenTtl = accessTokenTtl;
    stats = emptyStats();
    lastTokens = null;
    return sendJson(res, 200, settings);
  }
  if (url.pathname === '/__test/last-tokens' && req.method === 'GET') return sendJson(res, 200, lastTokens);
  if (url.pathname === '/__test/refresh-token' && req.method === 'GET') {
    const token = await provider.RefreshToken.find(url.searchParams.get('token') ?? '', { ignoreExpiration: true });
    return sendJson(res, 200, { state: !token ? 'unknown' : token.consumed ? 'consumed' : 'active' });
  }
  return send(res, 404, 'text/plain', 'no such test route');
}

const callback = provider.callback();
const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url ?? '/', ISSUER);
    if (url.pathname.startsWith('/__test/')) return await testRoute(req, res, url);
    const match = /^\/interaction\/([\w-]+)(?:\/(login|consent|abort))?$/.exec(url.pathname);
    if (match) return await interaction(req, res, match[1], match[2]);
    return callback(req, res);
  } catch (error) {
    console.error('oidc-provider test server:', error);
    if (!res.headersSent) send(res, 500, 'text/plain', String(error));
    else res.destroy();
  }
});

server.listen(PORT, HOST, () => console.log(`oidc-provider ready on ${ISSUER}`));
