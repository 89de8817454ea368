// The token endpoint (authorization_code and rotating refresh_token grants) and RFC 7009 revocation.
import { createHash } from 'node:crypto';
import { runWithFaults } from './faults.mjs';
import { OAuthError, parseStrictForm, sendNoStoreJson } from './http.mjs';
import { signJwt } from './jwt.mjs';

// RFC 7636 §4.1: 43 to 128 unreserved characters.
const CODE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

const GRANTS = {
  authorization_code: exchangeAuthorizationCode,
  refresh_token: exchangeRefreshToken,
};

function invalidGrant(description) {
  return new OAuthError('invalid_grant', description);
}

export async function token(ctx) {
  // Read loosely first so a fault can match on grant_type before strict validation runs.
  ctx.grantType = new URLSearchParams(ctx.rawBody).get('grant_type') ?? undefined;
  ctx.state.countTokenRequest(ctx.grantType);
  await runWithFaults(ctx, 'token', ctx.grantType, (effect) => {
    const form = parseStrictForm(ctx.req, ctx.rawBody);
    const client = authenticatePublicClient(ctx, form);
    if (!form.grant_type) throw new OAuthError('invalid_request', 'grant_type is required');
    const grant = GRANTS[form.grant_type];
    if (!grant) throw new OAuthError('unsupported_grant_type', `grant_type ${form.grant_type} is not supported`);
    sendNoStoreJson(ctx.res, 200, grant(ctx, client, form, effect));
  });
}

export async function revoke(ctx) {
  ctx.state.stats.revocations += 1;
  await runWithFaults(ctx, 'revoke', undefined, () => {
    const form = parseStrictForm(ctx.req, ctx.rawBody);
    const client = authenticatePublicClient(ctx, form);
    requireParams(form, ['token']);
    // token_type_hint is only a hint (RFC 7009 §2.1) and tokens are unique here, so it is not needed.
    ctx.state.stats.revokedTokens.push(ctx.state.revokeToken(form.token, client.client_id));
    // RFC 7009 §2.2: 200 whether or not the token was known, so callers learn nothing about it.
    sendNoStoreJson(ctx.res, 200, {});
  });
}

/**
 * Public clients identify themselves with client_id alone. Secrets or assertions are refused:
 * a SPA holding a secret is a bug the tests should catch.
 */
function authenticatePublicClient(ctx, form) {
  const unauthorized = (description) => new OAuthError('invalid_client', description, 401);
  if (ctx.req.headers.authorization || form.client_secret || form.client_assertion) {
    throw unauthorized('public clients use token_endpoint_auth_method none: send only client_id');
  }
  if (!form.client_id) throw unauthorized('client_id is required');
  const client = ctx.state.clients.get(form.client_id);
  if (!client) throw unauthorized(`unknown client_id ${form.client_id}`);
  return client;
}

function requireParams(form, names) {
  const missing = names.filter((name) => !form[name]);
  if (missing.length) throw new OAuthError('invalid_request', `missing ${missing.join(', ')}`);
}

function exchangeAuthorizationCode(ctx, client, form, effect) {
  requireParams(form, ['code', 'redirect_uri', 'code_verifier']);
  const code = ctx.state.codes.get(form.code);
  if (!code) throw invalidGrant('unknown authorization code');
  if (code.used) {
    // RFC 6749 §4.1.2: a replayed code may have been stolen, so everything issued from it goes.
    if (code.family) ctx.state.revokeFamily(code.family);
    throw invalidGrant('authorization code was already used; tokens issued from it are revoked');
  }
  code.used = true;
  if (code.expiresAt <= ctx.state.nowMs()) throw invalidGrant('authorization code expired');
  if (code.clientId !== client.client_id) throw invalidGrant('authorization code was issued to another client');
  if (code.redirectUri !== form.redirect_uri) throw invalidGrant('redirect_uri differs from the authorization request');
  if (!verifierMatchesChallenge(form.code_verifier, code.codeChallenge)) throw invalidGrant('PKCE verification failed');
  code.family = ctx.state.createFamily(code);
  const withRefreshToken = ctx.state.config.issueRefreshToken && hasScope(code.scope, 'offline_access');
  return issueTokens(ctx, code.family, { scope: code.scope, withRefreshToken, nonce: code.nonce, effect });
}

function verifierMatchesChallenge(verifier, challenge) {
  return CODE_VERIFIER.test(verifier) && createHash('sha256').update(verifier).digest('base64url') === challenge;
}

/** A refused refresh as the current profile answers it: its status and body, `description` aside. */
function refusedRefresh(ctx, description) {
  const { status, body } = ctx.state.profile.refusedRefresh();
  const { error, error_description: profileDescription, ...extra } = body;
  return new OAuthError(error, ctx.state.config.profile === 'default' ? description : profileDescription, status, {}, extra);
}

function exchangeRefreshToken(ctx, client, form, effect) {
  requireParams(form, ['refresh_token']);
  const record = ctx.state.refreshTokens.get(form.refresh_token);
  if (!record || record.family.clientId !== client.client_id) throw refusedRefresh(ctx, 'unknown refresh token');
  if (record.state === 'rotated' && !withinReuseInterval(ctx, record)) {
    ctx.state.detectRefreshTokenReuse(form.refresh_token, record, { requestAbandoned: clientGone(ctx) });
    throw refusedRefresh(ctx, 'refresh token was already used; its token family is revoked');
  }
  if (record.state === 'revoked') throw refusedRefresh(ctx, 'refresh token was revoked');
  if (record.expiresAt <= ctx.state.nowMs()) throw refusedRefresh(ctx, 'refresh token expired');
  const scope = form.scope ? narrowedScope(record.family.scope, form.scope) : record.family.scope;
  const { rotateRefreshTokens: rotate, keepRotatedRefreshTokens: keep } = ctx.state.config;
  if (rotate && !keep && record.state === 'active') {
    Object.assign(record, { state: 'rotated', rotatedAt: ctx.state.nowMs(), rotation: deliveryOf(ctx) });
  }
  return issueTokens(ctx, record.family, { scope, withRefreshToken: rotate, effect });
}

/**
 * Auth0's "reuse interval", Okta's grace period: for a while after its rotation, the previous
 * token (only the latest rotated one) may be exchanged again for a new one without reuse detection.
 */
function withinReuseInterval(ctx, record) {
  const { refreshTokens } = record.family;
  const previous = refreshTokens[refreshTokens.length - 2];
  return record === previous && ctx.state.nowMs() - record.rotatedAt < ctx.state.config.refreshTokenReuseInterval * 1000;
}

/** Whether the client closed the connection before the server answered (a 'delay' fault outlasting its timeout). */
function clientGone(ctx) {
  return ctx.req.socket.destroyed || ctx.res.closed;
}

/** Follows one response: `undelivered` once its connection closes before the whole answer is written. */
function deliveryOf(ctx) {
  const delivery = { undelivered: clientGone(ctx) };
  ctx.res.once('close', () => {
    if (!ctx.res.writableFinished) delivery.undelivered = true;
  });
  return delivery;
}

/** RFC 6749 §6: a refresh may ask for less than was granted, never more. */
function narrowedScope(granted, requested) {
  const extra = requested.split(' ').filter((s) => s && !hasScope(granted, s));
  if (extra.length) throw new OAuthError('invalid_scope', `scope ${extra.join(' ')} was not granted`);
  return requested;
}

function hasScope(scope, name) {
  return scope.split(' ').includes(name);
}

function issueTokens(ctx, family, { scope, withRefreshToken, nonce, effect }) {
  const response = {
    access_token: ctx.state.issueAccessToken(family, scope),
    token_type: 'Bearer',
    expires_in: ctx.state.config.accessTokenTtl,
    scope,
  };
  if (withRefreshToken) response.refresh_token = ctx.state.issueRefreshToken(family);
  if (hasScope(scope, 'openid')) response.id_token = signJwt(ctx.key, idTokenClaims(ctx, family, nonce, effect.idTokenClaims));
  // For tests of token isolation, where no page can read the session the client keeps; not an
  // answer a fault made invalid, which the client must not keep.
  if (!effect.idTokenClaims) ctx.state.lastTokens = { ...response, issuedAtMs: Date.now() };
  return response;
}

/** Claims of an ID token; `overrides` come from an 'id_token_claims' fault, where null deletes a claim. */
function idTokenClaims(ctx, family, nonce, overrides = {}) {
  const iat = ctx.state.nowSeconds();
  const claims = {
    iss: ctx.state.issuer,
    sub: family.user.sub,
    aud: family.clientId,
    azp: family.clientId,
    exp: iat + ctx.state.config.idTokenTtl,
    iat,
    auth_time: family.authTime,
    ...(nonce !== undefined && { nonce }),
    name: family.user.name,
    email: family.user.email,
  };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === null) delete claims[name];
    else claims[name] = value;
  }
  return claims;
}
