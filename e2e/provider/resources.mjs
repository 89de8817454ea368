// Endpoints that accept an access token: OIDC userinfo and a sample protected API for example apps.
import { runWithFaults } from './faults.mjs';
import { OAuthError, sendJson } from './http.mjs';

export async function userinfo(ctx) {
  ctx.state.stats.userinfoRequests += 1;
  await runWithFaults(ctx, 'userinfo', undefined, () => {
    const { user } = requireAccessToken(ctx).family;
    sendJson(ctx.res, 200, { sub: user.sub, name: user.name, email: user.email }, { 'Cache-Control': 'no-store' });
  });
}

/**
 * A sample API endpoint: counted, subject to 'api' faults, behind the access token check. It
 * answers with the user's `sub`, what `answer` adds, and the token's last characters.
 */
const apiEndpoint = (answer) => async (ctx) => {
  ctx.state.stats.apiRequests += 1;
  await runWithFaults(ctx, 'api', undefined, () => {
    const { user } = requireAccessToken(ctx).family;
    sendJson(ctx.res, 200, { sub: user.sub, ...answer(ctx, user), tokenSuffix: bearerToken(ctx.req).slice(-6) });
  });
};

export const protectedApi = apiEndpoint((_ctx, user) => ({ name: user.name, message: 'hello from the protected API' }));

/** Echoes what a POST carried, so a test can tell that a retried request re-sent its body. */
export const echoApi = apiEndpoint((ctx) => ({
  method: ctx.req.method,
  contentType: ctx.req.headers['content-type'] ?? null,
  body: ctx.rawBody,
}));

/**
 * A chunked answer, behind the access token: `chunks` lines (at most 20), `delayMs` apart (at most
 * 2000), so a test can read a streamed body chunk by chunk or abort it half-way. Stops writing when
 * the client goes away.
 */
export async function streamApi(ctx) {
  ctx.state.stats.apiRequests += 1;
  requireAccessToken(ctx);
  const chunks = Math.min(Number(ctx.url.searchParams.get('chunks') ?? 3) || 3, 20);
  const delayMs = Math.min(Number(ctx.url.searchParams.get('delayMs') ?? 100) || 0, 2000);
  const { res } = ctx;
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  for (let i = 0; i < chunks && !res.destroyed; i += 1) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    res.write(`chunk ${i}\n`);
  }
  res.end();
}

/** A 302 to the protected API, behind the access token: a client must not follow it with the token. */
export function redirectApi(ctx) {
  ctx.state.stats.apiRequests += 1;
  requireAccessToken(ctx);
  ctx.res.writeHead(302, { Location: '/api/me', 'Cache-Control': 'no-store' });
  ctx.res.end();
}

function bearerToken(req) {
  const match = /^Bearer +(\S+)$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

/**
 * Returns the record of the request's usable access token, else throws a 401 with an RFC 6750
 * challenge. A request without any token gets a bare `Bearer` challenge (RFC 6750 §3.1).
 */
function requireAccessToken(ctx) {
  const token = bearerToken(ctx.req);
  if (!token) {
    throw new OAuthError('invalid_request', 'an Authorization: Bearer access token is required', 401, {
      'WWW-Authenticate': 'Bearer',
    });
  }
  const record = ctx.state.findUsableAccessToken(token);
  if (!record) {
    throw new OAuthError('invalid_token', 'the access token is unknown, expired or revoked', 401, {
      'WWW-Authenticate': 'Bearer error="invalid_token", error_description="the access token is unknown, expired or revoked"',
    });
  }
  return record;
}
