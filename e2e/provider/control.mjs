// The /__control API through which tests reset, configure, sabotage and inspect the provider.
import { validateFault } from './faults.mjs';
import { parseJson, sendJson } from './http.mjs';

function reset(ctx) {
  const body = parseJson(ctx.rawBody);
  ctx.state.reset(body?.config);
  sendJson(ctx.res, 200, { ok: true, config: ctx.state.config });
}

function updateConfig(ctx) {
  ctx.state.updateConfig(parseJson(ctx.rawBody));
  sendJson(ctx.res, 200, ctx.state.config);
}

/** Validates every fault before queuing any, so a bad batch leaves the queue untouched. */
function queueFaults(ctx) {
  const body = parseJson(ctx.rawBody);
  const faults = (Array.isArray(body) ? body : [body]).map(validateFault);
  ctx.state.faults.add(faults);
  sendJson(ctx.res, 200, { ok: true, pendingFaults: ctx.state.faults.pending });
}

function stats(ctx) {
  sendJson(ctx.res, 200, ctx.state.statsSnapshot());
}

function refreshTokenStatus(ctx) {
  sendJson(ctx.res, 200, { state: ctx.state.refreshTokenState(ctx.url.searchParams.get('token')) });
}

/** The last token response issued (tokens, expires_in, and when), or null. */
function lastTokens(ctx) {
  sendJson(ctx.res, 200, ctx.state.lastTokens);
}

/** Every refresh token issued since the last reset, active or not: what the token-isolation tests search storage for. */
function refreshTokens(ctx) {
  sendJson(ctx.res, 200, { tokens: [...ctx.state.refreshTokens.keys()] });
}

export const CONTROL_ROUTES = {
  '/__control/reset': { POST: reset },
  '/__control/config': { POST: updateConfig },
  '/__control/faults': { POST: queueFaults },
  '/__control/stats': { GET: stats },
  '/__control/refresh-token-status': { GET: refreshTokenStatus },
  '/__control/last-tokens': { GET: lastTokens },
  '/__control/refresh-tokens': { GET: refreshTokens },
};
