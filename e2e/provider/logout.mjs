// OIDC RP-Initiated Logout 1.0: end the provider session and send the browser back to the app.
import { currentSession, expiredSessionCookie } from './authorize.mjs';
import { escapeHtml, redirect, sendErrorPage, sendHtml, singleValuedParams, withQuery } from './http.mjs';
import { verifyJwt } from './jwt.mjs';

/** Counts a logout request and reads its parameters; `check` throws to answer with the error page instead. */
function readLogoutRequest(ctx, check) {
  ctx.state.stats.endSessions += 1;
  ctx.state.stats.lastEndSession = Object.fromEntries(ctx.url.searchParams);
  try {
    const params = singleValuedParams(ctx.url.searchParams);
    check(params);
    return params;
  } catch (err) {
    sendErrorPage(ctx.res, err.message);
    return null;
  }
}

export function endSession(ctx) {
  const params = readLogoutRequest(ctx, (p) => checkLogoutRequest(ctx, p));
  if (!params) return;
  // Entra: without logout_hint the user first picks the account to sign out (profiles.mjs).
  if (ctx.state.profile.logout?.accountPicker && !params.logout_hint && params.picked !== '1') {
    const picked = new URL(ctx.url);
    picked.searchParams.set('picked', '1');
    return sendHtml(ctx.res, 200, 'Pick an account', `<a id="pick-account" href="${escapeHtml(picked.pathname + picked.search)}">Sign out ${escapeHtml(ctx.state.config.user.email)}</a>`);
  }
  signOutAndRedirect(ctx, params.post_logout_redirect_uri, { state: params.state });
}

function signOutAndRedirect(ctx, target, query) {
  ctx.state.sessions.delete(currentSession(ctx)?.id);
  const headers = { 'Set-Cookie': expiredSessionCookie() };
  if (target) return redirect(ctx.res, withQuery(target, query), headers);
  sendHtml(ctx.res, 200, 'Signed out', `<p id="signed-out">You are signed out of ${escapeHtml(ctx.state.issuer)}.</p>`, headers);
}

/**
 * Cognito's GET /logout?client_id=...&logout_uri=...: signs out and redirects to logout_uri, one
 * of the client's registered sign-out URLs, as it is (profiles.mjs). Not an RP-Initiated Logout
 * endpoint: no id_token_hint, no post_logout_redirect_uri, no state.
 */
export function cognitoLogout(ctx) {
  const params = readLogoutRequest(ctx, ({ client_id: clientId, logout_uri: logoutUri }) => {
    const client = ctx.state.clients.get(clientId);
    if (!client) throw new Error(`unknown client_id ${clientId ?? '(missing)'}`);
    if (!client.post_logout_redirect_uris.includes(logoutUri)) {
      throw new Error(`logout_uri ${logoutUri ?? '(missing)'} is not a sign-out URL of ${client.client_id}`);
    }
  });
  if (params) signOutAndRedirect(ctx, params.logout_uri, {});
}

/**
 * Throws unless the hint is one of our ID tokens (expired ones are fine: logout usually comes late),
 * the client is consistent, and post_logout_redirect_uri is registered exactly for that client.
 */
function checkLogoutRequest(ctx, params) {
  if (ctx.state.profile.logout?.requireIdTokenHint && !params.id_token_hint) throw new Error('id_token_hint is required');
  const hint = params.id_token_hint ? verifyIdTokenHint(ctx, params.id_token_hint) : undefined;
  if (params.client_id && hint && hint.aud !== params.client_id) {
    throw new Error('client_id does not match the audience of id_token_hint');
  }
  if (!params.post_logout_redirect_uri) return;
  const clientId = params.client_id ?? hint?.aud;
  if (!clientId) throw new Error('post_logout_redirect_uri needs client_id or id_token_hint');
  const client = ctx.state.clients.get(clientId);
  if (!client) throw new Error(`unknown client_id ${clientId}`);
  if (!client.post_logout_redirect_uris.includes(params.post_logout_redirect_uri)) {
    throw new Error(`post_logout_redirect_uri ${params.post_logout_redirect_uri} is not registered for ${clientId}`);
  }
}

function verifyIdTokenHint(ctx, idToken) {
  const claims = verifyJwt(ctx.key, idToken);
  if (!claims || claims.iss !== ctx.state.issuer || !ctx.state.clients.has(claims.aud)) {
    throw new Error('id_token_hint was not issued by this provider');
  }
  return claims;
}
