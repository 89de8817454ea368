// OIDC RP-Initiated Logout 1.0: end the provider session and send the browser back to the app.
import { currentSession, expiredSessionCookie } from './authorize.mjs';
import { escapeHtml, redirect, sendErrorPage, sendHtml, singleValuedParams, withQuery } from './http.mjs';
import { verifyJwt } from './jwt.mjs';

export function endSession(ctx) {
  ctx.state.stats.endSessions += 1;
  ctx.state.stats.lastEndSession = Object.fromEntries(ctx.url.searchParams);
  let params;
  try {
    params = singleValuedParams(ctx.url.searchParams);
    checkLogoutRequest(ctx, params);
  } catch (err) {
    return sendErrorPage(ctx.res, err.message);
  }
  ctx.state.sessions.delete(currentSession(ctx)?.id);
  const headers = { 'Set-Cookie': expiredSessionCookie() };
  if (params.post_logout_redirect_uri) {
    return redirect(ctx.res, withQuery(params.post_logout_redirect_uri, { state: params.state }), headers);
  }
  sendHtml(ctx.res, 200, 'Signed out', `<p id="signed-out">You are signed out of ${escapeHtml(ctx.state.issuer)}.</p>`, headers);
}

/**
 * Throws unless the hint is one of our ID tokens (expired ones are fine: logout usually comes late),
 * the client is consistent, and post_logout_redirect_uri is registered exactly for that client.
 */
function checkLogoutRequest(ctx, params) {
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
