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
