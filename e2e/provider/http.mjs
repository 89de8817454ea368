// HTTP plumbing shared by every endpoint: CORS, body parsing, typed responses, cookies.

// Any loopback origin may call us: this server only ever runs next to test apps on this machine.
const LOOPBACK_ORIGIN = /^http:\/\/(localhost|127\.0\.0\.1)(:\d{1,5})?$/;
const MAX_BODY_BYTES = 64 * 1024;
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

/** An error answered as RFC 6749 JSON `{ error, error_description }`, plus a provider's `extra` fields. */
export class OAuthError extends Error {
  constructor(error, description, status = 400, headers = {}, extra = {}) {
    super(description);
    this.error = error;
    this.status = status;
    this.headers = headers;
    this.extra = extra;
  }
}

export function isAllowedOrigin(origin) {
  return typeof origin === 'string' && LOOPBACK_ORIGIN.test(origin);
}

/** Adds CORS response headers for allowed origins; other origins get none, so browsers block them. */
export function applyCors(req, res) {
  res.setHeader('Vary', 'Origin');
  if (!isAllowedOrigin(req.headers.origin)) return;
  res.setHeader('Access-Control-Allow-Origin', req.headers.origin);
  // Retry-After is not CORS-safelisted: without this a page cannot read a 429's wait.
  res.setHeader('Access-Control-Expose-Headers', 'DPoP-Nonce, WWW-Authenticate, Retry-After');
}

export function answerPreflight(req, res) {
  if (!isAllowedOrigin(req.headers.origin)) return sendText(res, 403, 'origin not allowed');
  res.writeHead(204, {
    'Access-Control-Allow-Methods': 'GET, POST',
    'Access-Control-Allow-Headers': 'authorization, content-type, dpop, accept',
    'Access-Control-Max-Age': '600',
  });
  res.end();
}

export async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new OAuthError('invalid_request', 'request body too large', 413);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function mediaType(req) {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * Parses an application/x-www-form-urlencoded body the strict way RFC 6749 §3.2 asks for:
 * right content type, and no parameter sent twice.
 */
export function parseStrictForm(req, rawBody) {
  if (mediaType(req) !== 'application/x-www-form-urlencoded') {
    throw new OAuthError('invalid_request', 'body must be application/x-www-form-urlencoded');
  }
  return singleValuedParams(new URLSearchParams(rawBody));
}

/** Turns URLSearchParams into a plain object, refusing repeated parameters (RFC 6749 §3.1, §3.2). */
export function singleValuedParams(params) {
  const result = {};
  for (const [name, value] of params) {
    if (Object.hasOwn(result, name)) throw new OAuthError('invalid_request', `parameter ${name} was sent more than once`);
    result[name] = value;
  }
  return result;
}

export function parseJson(raw) {
  if (raw.trim() === '') return {};
  try {
    return JSON.parse(raw);
  } catch {
    throw new OAuthError('invalid_request', 'body is not valid JSON');
  }
}

export function sendJson(res, status, body, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Token and revocation responses carry credentials, so caches must never keep them (RFC 6749 §5.1). */
export function sendNoStoreJson(res, status, body) {
  sendJson(res, status, body, NO_STORE);
}

export function sendOAuthError(res, err) {
  const body = { error: err.error, ...(err.message && { error_description: err.message }), ...err.extra };
  sendJson(res, err.status, body, { ...NO_STORE, ...err.headers });
}

/** `contentType` null sends no Content-Type header at all. */
export function sendText(res, status, text, contentType = 'text/plain', headers = {}) {
  res.writeHead(status, { ...(contentType !== null && { 'Content-Type': contentType }), ...headers });
  res.end(text);
}

export function sendHtml(res, status, title, bodyHtml, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', ...NO_STORE, ...headers });
  res.end(`<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${escapeHtml(title)}</title></head>` +
    `<body><h1>${escapeHtml(title)}</h1>${bodyHtml}</body></html>`);
}

/** The page for errors that must not be redirected: the redirect target itself is not trusted. */
export function sendErrorPage(res, message) {
  sendHtml(res, 400, 'Invalid request', `<p id="error">${escapeHtml(message)}</p>`);
}

export function redirect(res, location, headers = {}) {
  res.writeHead(302, { Location: location, ...NO_STORE, ...headers });
  res.end();
}

/** Builds `base?name=value&...`, keeping any query the registered URI already has. */
export function withQuery(base, params) {
  const url = new URL(base);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null) url.searchParams.set(name, value);
  }
  return url.href;
}

export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function readCookie(req, name) {
  for (const pair of (req.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = pair.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}
