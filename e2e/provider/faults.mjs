// Fault injection: tests queue misbehaviours that the next matching requests suffer.
import { OAuthError, sendJson, sendNoStoreJson, sendText } from './http.mjs';

const ENDPOINTS = ['token', 'revoke', 'userinfo', 'api', 'authorize', 'discovery'];
const GRANT_TYPES = ['authorization_code', 'refresh_token'];
const TYPES = ['status', 'delay', 'drop', 'truncate', 'invalid_grant', 'body', 'id_token_claims'];
// Chromium resends a request once, at once, when a kept-alive or pre-connected socket closes before
// any response byte. Left alone, that resend would be processed (consuming a refresh token) and a
// 'drop' would only be visible to the page on some runs, depending on socket reuse.
// Chromium resends at once (milliseconds on loopback); the window stays short so that an SDK's own
// retry, which backs off for longer, is still seen as a new request.
const BROWSER_RESEND_WINDOW_MS = 150;

/** Checks one fault as sent by a test and returns the queued form, with `remaining` uses. */
export function validateFault(input) {
  if (typeof input !== 'object' || input === null) throw faultError('a fault must be an object');
  const { endpoint, grantType, times = 1, type } = input;
  if (!ENDPOINTS.includes(endpoint)) throw faultError(`fault.endpoint must be one of ${ENDPOINTS.join(', ')}`);
  if (!TYPES.includes(type)) throw faultError(`fault.type must be one of ${TYPES.join(', ')}`);
  if (grantType !== undefined && (endpoint !== 'token' || !GRANT_TYPES.includes(grantType))) {
    throw faultError(`fault.grantType needs endpoint 'token' and one of ${GRANT_TYPES.join(', ')}`);
  }
  if (!Number.isInteger(times) || times < 1) throw faultError('fault.times must be a positive integer');
  checkTypeOptions(input);
  return { ...input, times, remaining: times };
}

function checkTypeOptions(fault) {
  if (fault.type === 'status' && !Number.isInteger(fault.status)) throw faultError("a 'status' fault needs an integer status");
  if (fault.type === 'status' && fault.body !== undefined && typeof fault.body !== 'string') {
    throw faultError("a 'status' fault's body must be a string");
  }
  if (['status', 'body'].includes(fault.type) && ![undefined, null].includes(fault.contentType) && typeof fault.contentType !== 'string') {
    throw faultError("a fault's contentType must be a string, or null for none");
  }
  if (fault.type === 'status' && fault.headers !== undefined && !isStringRecord(fault.headers)) {
    throw faultError("a 'status' fault's headers must be an object of strings");
  }
  if (fault.type === 'delay' && !(Number.isFinite(fault.delayMs) && fault.delayMs >= 0)) {
    throw faultError("a 'delay' fault needs delayMs >= 0");
  }
  if (fault.type === 'delay' && ![undefined, 'process', 'abandon'].includes(fault.ifClientGone)) {
    throw faultError("a 'delay' fault's ifClientGone must be 'process' or 'abandon'");
  }
  if (fault.type === 'truncate' && fault.stallMs !== undefined && !(Number.isFinite(fault.stallMs) && fault.stallMs >= 0)) {
    throw faultError("a 'truncate' fault's stallMs must be >= 0");
  }
  if (fault.type === 'id_token_claims' && fault.endpoint !== 'token') {
    throw faultError("an 'id_token_claims' fault only applies to endpoint 'token'");
  }
  if (fault.type === 'id_token_claims' && (typeof fault.claims !== 'object' || fault.claims === null)) {
    throw faultError("an 'id_token_claims' fault needs a claims object");
  }
}

function isStringRecord(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    && Object.values(value).every((v) => typeof v === 'string');
}

function faultError(message) {
  return new OAuthError('invalid_request', message);
}

/** First-in, first-out: the oldest queued fault that matches a request is the one it gets. */
export class FaultQueue {
  #faults = [];

  add(faults) {
    this.#faults.push(...faults);
  }

  clear() {
    this.#faults = [];
  }

  /** Uses up one application of the first fault matching this request, if any. */
  take(endpoint, grantType) {
    const index = this.#faults.findIndex(
      (fault) => fault.endpoint === endpoint && (fault.grantType === undefined || fault.grantType === grantType),
    );
    if (index === -1) return null;
    const fault = this.#faults[index];
    fault.remaining -= 1;
    if (fault.remaining === 0) this.#faults.splice(index, 1);
    return fault;
  }

  /** How many more requests will be hit by a fault. */
  get pending() {
    return this.#faults.reduce((sum, fault) => sum + fault.remaining, 0);
  }
}

/**
 * Runs `process(effect)` for a request unless a queued fault answers it instead.
 * `effect.idTokenClaims` carries an 'id_token_claims' fault's overrides into processing.
 */
export async function runWithFaults(ctx, endpoint, grantType, process) {
  const fault = ctx.state.faults.take(endpoint, grantType);
  if (!fault) return process({});
  ctx.state.stats.faultsServed += 1;
  switch (fault.type) {
    case 'status':
      // contentType null sends none at all, as some servers answer a dead refresh token: a bare 400.
      return sendText(ctx.res, fault.status, fault.body ?? '', fault.contentType === undefined ? 'text/plain' : fault.contentType, fault.headers);
    case 'body':
      return sendRawBody(ctx.res, fault);
    case 'invalid_grant':
      return sendNoStoreJson(ctx.res, 400, { error: 'invalid_grant', error_description: 'injected' });
    case 'drop':
      return dropConnection(ctx);
    case 'truncate':
      return truncateBody(ctx, fault);
    case 'delay':
      await ctx.sleep(fault.delayMs);
      // By default the request is processed even if the client gave up, as many servers do; with
      // ifClientGone 'abandon' it is dropped, as by servers that cancel work on disconnect.
      if (fault.ifClientGone === 'abandon' && (ctx.req.socket.destroyed || ctx.res.closed)) return undefined;
      return process({});
    case 'id_token_claims':
      return process({ idTokenClaims: fault.claims });
  }
}

/** Closes the socket without a byte of response, and remembers the request to catch its resend. */
function dropConnection(ctx) {
  ctx.state.lastDrop = {
    signature: requestSignature(ctx),
    grantType: ctx.grantType,
    until: Date.now() + BROWSER_RESEND_WINDOW_MS,
  };
  ctx.req.socket.destroy();
}

/**
 * Starts a 200 JSON answer and drops the connection mid-body, after `stallMs` without a byte: a
 * proxy or server that dies while answering, or (with a stall past the client's timeout) one whose
 * body never finishes arriving. The request is not processed.
 */
async function truncateBody(ctx, fault) {
  const start = '{"access_token":"';
  ctx.res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(start.length + 100) });
  ctx.res.write(start);
  if (fault.stallMs) await ctx.sleep(fault.stallMs);
  ctx.res.destroy();
}

function requestSignature(ctx) {
  const { method, url, headers } = ctx.req;
  return JSON.stringify([method, url, headers.authorization, headers.dpop, ctx.rawBody]);
}

/**
 * Drops the browser's automatic resend of the request a 'drop' fault just dropped, so one fault is
 * one failed request for the page. Returns true when it did. The resend is not counted in stats.
 */
export function dropBrowserResend(ctx) {
  const drop = ctx.state.lastDrop;
  if (!drop || Date.now() > drop.until || drop.signature !== requestSignature(ctx)) return false;
  ctx.state.lastDrop = null;
  ctx.grantType = drop.grantType;
  ctx.droppedResend = true;
  ctx.req.socket.destroy();
  return true;
}

function sendRawBody(res, fault) {
  const status = fault.status ?? 200;
  const contentType = fault.contentType ?? 'application/json';
  if (typeof fault.body === 'string') return sendText(res, status, fault.body, contentType);
  sendJson(res, status, fault.body ?? null, { 'Content-Type': contentType });
}
