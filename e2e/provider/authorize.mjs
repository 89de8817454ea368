// The browser-facing authorization endpoint: validate the request, sign the user in, redirect back.
import { SUPPORTED_SCOPES } from './config.mjs';
import { runWithFaults } from './faults.mjs';
import {
  escapeHtml, parseStrictForm, readCookie, redirect, sendErrorPage, sendHtml, singleValuedParams, withQuery,
} from './http.mjs';

export const SESSION_COOKIE = 'mock_sid';
// SameSite=None needs Secure, which plain http cannot have; Lax still rides along top-level redirects.
const COOKIE_ATTRIBUTES = 'Path=/; HttpOnly; SameSite=Lax';
// BASE64URL(SHA-256(verifier)) is always 43 characters.
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

export function sessionCookie(sessionId) {
  return `${SESSION_COOKIE}=${sessionId}; ${COOKIE_ATTRIBUTES}`;
}

export function expiredSessionCookie() {
  return `${SESSION_COOKIE}=; ${COOKIE_ATTRIBUTES}; Max-Age=0`;
}

export function currentSession(ctx) {
  return ctx.state.sessions.get(readCookie(ctx.req, SESSION_COOKIE));
}

export async function authorize(ctx) {
  ctx.state.stats.authorizeRequests += 1;
  await runWithFaults(ctx, 'authorize', undefined, () => handleAuthorizationRequest(ctx));
}

function handleAuthorizationRequest(ctx) {
  const params = readAuthorizationParams(ctx);
  if (!params) return;
  const client = ctx.state.clients.get(params.client_id);
  if (!client) return sendErrorPage(ctx.res, `unknown client_id ${params.client_id ?? '(missing)'}`);
  // Only an exactly registered redirect_uri may receive errors: anything else could be an attacker's page.
  if (!client.redirect_uris.includes(params.redirect_uri)) {
    return sendErrorPage(ctx.res, `redirect_uri ${params.redirect_uri ?? '(missing)'} is not registered for ${client.client_id}`);
  }
  const request = {
    clientId: client.client_id,
    redirectUri: params.redirect_uri,
    state: params.state,
    nonce: params.nonce,
    scope: params.scope ?? '',
    codeChallenge: params.code_challenge,
  };
  const problem = findRequestProblem(params);
  if (problem) return redirectBack(ctx, request, problem);
  answerOrAskUser(ctx, request, promptValues(params), params.max_age);
}

function promptValues(params) {
  return (params.prompt ?? '').split(' ').filter(Boolean);
}

/** Repeated parameters make the request ambiguous (which redirect_uri?), so they get the error page. */
function readAuthorizationParams(ctx) {
  try {
    return singleValuedParams(ctx.url.searchParams);
  } catch (err) {
    sendErrorPage(ctx.res, err.message);
    return null;
  }
}

/** Returns the error to redirect back with, or null when the request is acceptable. */
function findRequestProblem(params) {
  const invalid = (description) => ({ error: 'invalid_request', error_description: description });
  if (!params.response_type) return invalid('response_type is required');
  if (params.response_type !== 'code') {
    return { error: 'unsupported_response_type', error_description: 'only response_type=code is supported' };
  }
  if (!params.code_challenge) return invalid('code_challenge is required (PKCE)');
  if (params.code_challenge_method !== 'S256') return invalid('code_challenge_method must be S256');
  if (!S256_CHALLENGE.test(params.code_challenge)) return invalid('code_challenge is not a base64url SHA-256 digest');
  const prompts = promptValues(params);
  if (prompts.includes('none') && prompts.length > 1) return invalid('prompt=none cannot be combined with other values');
  if (params.max_age !== undefined && !/^\d+$/.test(params.max_age)) return invalid('max_age must be a non-negative integer');
  const unknownScopes = (params.scope ?? '').split(' ').filter((s) => s && !SUPPORTED_SCOPES.includes(s));
  if (unknownScopes.length) return { error: 'invalid_scope', error_description: `unsupported scope ${unknownScopes.join(' ')}` };
  return null;
}

/** Answers at once when no user interaction is needed or allowed; shows the login page otherwise. */
function answerOrAskUser(ctx, request, prompts, maxAge) {
  const session = sessionWithinMaxAge(ctx, maxAge);
  if (prompts.includes('none')) {
    if (session) return approve(ctx, request, session);
    return redirectBack(ctx, request, { error: 'login_required', error_description: 'no session at the provider' });
  }
  if (ctx.state.config.autoApprove) {
    const reuseSession = session && !prompts.includes('login');
    return approve(ctx, request, reuseSession ? session : ctx.state.startSession());
  }
  showLoginPage(ctx, request);
}

/** The provider session, unless it is older than max_age allows: then the user must sign in again. */
function sessionWithinMaxAge(ctx, maxAge) {
  const session = currentSession(ctx);
  if (!session || maxAge === undefined) return session;
  return ctx.state.nowSeconds() - session.authTime < Number(maxAge) ? session : undefined;
}

function showLoginPage(ctx, request) {
  const interaction = ctx.state.startInteraction(request);
  sendHtml(ctx.res, 200, 'Mock provider sign-in', `
    <p>Client <code>${escapeHtml(request.clientId)}</code> asks for <code>${escapeHtml(request.scope)}</code>.</p>
    <form method="post" action="/authorize/decision">
      <input type="hidden" name="interaction" value="${escapeHtml(interaction)}">
      <button id="approve" type="submit" name="decision" value="approve">Sign in as ${escapeHtml(ctx.state.config.user.name)}</button>
      <button id="deny" type="submit" name="decision" value="deny">Deny</button>
    </form>`);
}

/** POST /authorize/decision: the login page's form. */
export function decide(ctx) {
  let form;
  try {
    form = parseStrictForm(ctx.req, ctx.rawBody);
  } catch (err) {
    return sendErrorPage(ctx.res, err.message);
  }
  if (form.decision !== 'approve' && form.decision !== 'deny') return sendErrorPage(ctx.res, 'decision must be approve or deny');
  const request = ctx.state.finishInteraction(form.interaction);
  if (!request) return sendErrorPage(ctx.res, 'this sign-in was already decided or never started');
  if (form.decision === 'approve') return approve(ctx, request, ctx.state.startSession());
  redirectBack(ctx, request, { error: 'access_denied', error_description: 'the user denied the request' });
}

function approve(ctx, request, session) {
  const code = ctx.state.issueCode(request, session);
  const extra = ctx.state.profile.callbackParams?.(session) ?? {};
  redirectBack(ctx, request, { code, ...extra }, { 'Set-Cookie': sessionCookie(session.id) });
}

/** Redirects to the client with `result`, plus state and (RFC 9207) iss. */
function redirectBack(ctx, request, result, headers) {
  const iss = ctx.state.config.includeIss ? ctx.state.issuer : undefined;
  redirect(ctx.res, withQuery(request.redirectUri, { ...result, state: request.state, iss }), headers);
}
