import * as oauth from 'oauth4webapi'

/**
 * Stable error codes. Branch on these, never on `message`.
 *
 * - `login_required`: there is no usable session (never logged in, logged out, or the server
 *   refused the refresh token: `invalid_grant`, or any 4xx but 408 and 429; `cause` then has
 *   the `status` and the server's `error`). Call `loginWithRedirect()`.
 * - `invalid_state`: the callback does not belong to a login this browser started, or it was
 *   already used or expired (RFC 9700 §4.2.4, one-time `state`).
 * - `oauth_error`: the server answered with an OAuth error; see `error` and `errorDescription`.
 * - `invalid_response`: a response failed validation (wrong `iss`, `aud`, `nonce`, malformed
 *   JSON, missing fields...). Nothing from it was stored.
 * - `network_error`: the request got no usable answer: the connection failed (also while the
 *   answer was arriving), or the server
 *   answered with a 5xx, 408 (Request Timeout) or 429 (Too Many Requests). Transient: the session is kept.
 * - `timeout`: the request took longer than `timeoutSeconds`, or the wait for another tab's
 *   refresh longer than `lockWaitSeconds`. Transient: the session is kept.
 * - `config_error`: the client was configured or called wrongly.
 * - `popup_blocked`: `loginWithPopup()` could not open its window (`window.open` returned
 *   `null`): call it straight from a click handler, or use `loginWithRedirect()`.
 * - `popup_closed`: the login popup was closed before the server sent the browser back (the
 *   user gave up). Nothing was stored.
 * - `storage_error`: `logout()` could not remove the session from IndexedDB, even on a fresh
 *   connection. The page has forgotten it and the refresh token was revoked, but a reload may
 *   still find the stored session: tell the user to close the browser or clear the site's data.
 *
 * @example
 * ```ts
 * const code: AuthErrorCode = 'login_required'
 * ```
 */
export type AuthErrorCode =
  | 'login_required'
  | 'invalid_state'
  | 'oauth_error'
  | 'invalid_response'
  | 'network_error'
  | 'timeout'
  | 'config_error'
  | 'popup_blocked'
  | 'popup_closed'
  | 'storage_error'

/**
 * The only error type the public API throws. What caused it, when anything did, is kept as `cause`:
 * a copy of the original error chain (name, message, `code`, HTTP `status`, the server's `error`
 * and `error_description`, and where each was thrown: its stack frames) without the responses,
 * bodies and claims the originals carry, since
 * those may hold tokens and error trackers record the whole `cause` chain (RFC 9700 §4.3). A code,
 * verifier or token that a server quoted back in its error is replaced by `[redacted]`.
 *
 * @example
 * ```ts
 * try {
 *   await auth.getAccessToken()
 * } catch (e) {
 *   if (e instanceof AuthError && e.code === 'login_required') await auth.loginWithRedirect()
 *   else throw e
 * }
 * ```
 */
export class AuthError extends Error {
  /** Always `'AuthError'`, so logs and serialised errors say what they are. */
  override readonly name = 'AuthError'
  /** The stable error code. */
  readonly code: AuthErrorCode
  /** For `oauth_error`: the server's `error` value (RFC 6749 §4.1.2.1, §5.2). */
  readonly error?: string
  /** For `oauth_error`: the server's `error_description`, when it sent one. */
  readonly errorDescription?: string
  /** The HTTP status of the response that caused the error, when there was one. */
  readonly status?: number

  constructor(
    code: AuthErrorCode,
    message: string,
    options: { cause?: unknown; error?: string; errorDescription?: string; status?: number } = {},
  ) {
    super(message, { cause: copyChain(options.cause) })
    this.code = code
    this.error = options.error
    this.errorDescription = options.errorDescription
    this.status = options.status
  }
}

/** An error of a cause chain as {@link AuthError} keeps it: only what explains it. */
class CauseCopy extends Error {}

/**
 * Errors whose messages are fixed text written by their library or the platform. Other messages
 * may quote what failed: V8's JSON `SyntaxError`, for one, quotes the token response it could not
 * parse.
 */
const trustedMessages = [
  AuthError,
  // Made by copyChain() from one of these, or with the message omitted.
  CauseCopy,
  oauth.OperationProcessingError,
  oauth.ResponseBodyError,
  oauth.AuthorizationResponseError,
  oauth.WWWAuthenticateChallengeError,
  oauth.UnsupportedOperationError,
  TypeError,
  ...(typeof DOMException === 'undefined' ? [] : [DOMException]),
]

const messageOf = (error: Error) =>
  trustedMessages.some((type) => error instanceof type) ? error.message : `${error.name} (message omitted)`

/** The fields of an error that explain it and carry no secret (see {@link AuthError}). */
const explainingFields = ['code', 'status', 'error', 'error_description'] as const

/** Replaces each secret in a text; see {@link redacted}. */
type Hide = (text: string) => string

/**
 * A copy of the error chain `cause` that keeps only what explains it. Anything that is not an
 * Error (oauth4webapi hangs the `Response`, the parsed body or the ID token claims there) is
 * dropped, so no access, refresh or ID token, code or verifier can reach an {@link AuthError}.
 * With `hide`, a chain already copied has its texts redacted.
 */
function copyChain(cause: unknown, hide?: Hide, depth = 0): Error | undefined {
  if (!(cause instanceof Error) || depth > 8) return undefined
  if (cause instanceof AuthError) return hide ? redactedWith(cause, hide) : cause
  const copy = new CauseCopy(hide ? hide(cause.message) : messageOf(cause), { cause: copyChain(cause.cause, hide, depth + 1) })
  copy.name = cause.name
  // Where it was thrown: its stack without the `name: message` V8 starts it with, since a message
  // may quote what failed. A stack that does not start with exactly those is left out.
  const header = `${cause}`
  if (cause.stack?.startsWith(header)) copy.stack = `${copy.name}: ${copy.message}${cause.stack.slice(header.length)}`
  for (const field of explainingFields) {
    const value = (cause as unknown as Record<string, unknown>)[field]
    if (typeof value === 'number') Object.assign(copy, { [field]: value })
    if (typeof value === 'string') Object.assign(copy, { [field]: hide ? hide(value) : value })
  }
  if (copy.cause === undefined) delete copy.cause
  return copy
}

function redactedWith(error: AuthError, hide: Hide): AuthError {
  const text = (value: string | undefined) => (value === undefined ? value : hide(value))
  return new AuthError(error.code, hide(error.message), {
    cause: copyChain(error.cause, hide),
    error: text(error.error),
    errorDescription: text(error.errorDescription),
    status: error.status,
  })
}

/**
 * The ways a server or proxy may quote `secret` back: as sent, percent-encoded, form-encoded (`+`
 * for a space, as the request body carried it) and JSON-escaped.
 */
const encodings = (secret: string) => [
  secret,
  encodeURIComponent(secret),
  new URLSearchParams({ s: secret }).toString().slice(2),
  JSON.stringify(secret).slice(1, -1),
]

/**
 * `error` with each of `secrets` (the code, verifier or token a request sent) replaced by
 * `[redacted]` wherever it appears, in any encoding of {@link encodings}: message, `error`,
 * `errorDescription` and the whole cause chain. A server may quote what it was sent in its `error`,
 * `error_description` or `WWW-Authenticate` challenge, and those are kept to explain the failure;
 * call this where the request was sent, the one place that knows what it carried.
 */
export function redacted(error: AuthError, secrets: readonly (string | undefined)[]): AuthError {
  // Longest first, so a shorter form inside a longer one cannot leave part of the longer one behind.
  const forms = secrets.flatMap((secret) => (secret ? encodings(secret) : [])).sort((a, b) => b.length - a.length)
  return redactedWith(error, (text) => forms.reduce((hidden, form) => hidden.replaceAll(form, '[redacted]'), text))
}

/**
 * True for the failures worth retrying: the server may answer next time. Any 5xx counts, with or
 * without an OAuth error body (oauth4webapi reads error bodies only on 4xx), and so do 408 and 429.
 */
export function isTransient(error: AuthError): boolean {
  return error.code === 'network_error' || error.code === 'timeout'
}

/**
 * Statuses that say "not now" rather than "no": any 5xx, 408 Request Timeout (RFC 9110 §15.5.9)
 * and 429 Too Many Requests (RFC 6585 §4).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6585.html#section-4
 */
export const isTransientStatus = (status: number) => status >= 500 || status === 408 || status === 429

/**
 * The HTTP response an oauth4webapi error was made from, when it was made from one: an OAuth
 * error body, a `WWW-Authenticate` challenge, or a response of the wrong status or content type.
 */
export function failedResponse(cause: unknown): Response | undefined {
  if (cause instanceof oauth.ResponseBodyError || cause instanceof oauth.WWWAuthenticateChallengeError) {
    return cause.response
  }
  if (cause instanceof oauth.OperationProcessingError && cause.cause instanceof Response) return cause.cause
  return undefined
}

const configErrorCodes = new Set<string>([
  oauth.HTTP_REQUEST_FORBIDDEN,
  oauth.REQUEST_PROTOCOL_FORBIDDEN,
  'ERR_INVALID_ARG_TYPE',
  'ERR_INVALID_ARG_VALUE',
])

const isTimeout = (error: unknown) => error instanceof DOMException && error.name === 'TimeoutError'

/**
 * Why the body of an answer could not be read, when reading it failed rather than parsing it: fetch
 * resolves once the headers are in, so a connection that drops later, or a `timeoutSeconds` that
 * runs out later, rejects the body read (with a `TypeError`, or the signal's `TimeoutError`). That
 * is the same network failure as one before the headers, not an answer that failed validation (a
 * `SyntaxError`).
 */
function unreadBody(cause: unknown): unknown {
  return cause instanceof oauth.OperationProcessingError && cause.code === oauth.PARSE_ERROR ? cause.cause : undefined
}

/** Maps anything thrown below the facade, oauth4webapi's errors included, to an {@link AuthError}. */
export function toAuthError(cause: unknown): AuthError {
  if (cause instanceof AuthError) return cause
  const status = failedResponse(cause)?.status
  if (status !== undefined && isTransientStatus(status)) {
    return new AuthError('network_error', `The server answered with HTTP ${status}`, { cause, status })
  }
  // An OAuth error, from the token endpoint (RFC 6749 §5.2, with its status) or the redirect (§4.1.2.1).
  if (cause instanceof oauth.ResponseBodyError || cause instanceof oauth.AuthorizationResponseError) {
    return new AuthError('oauth_error', `The server answered with ${cause.error}`, {
      cause,
      error: cause.error,
      errorDescription: cause.error_description,
      status,
    })
  }
  if (cause instanceof oauth.WWWAuthenticateChallengeError) {
    // Only what the server said: a challenge may name no error (RFC 6750 §3.1, RFC 6749 §5.2's 401).
    const error = cause.cause.find((challenge) => challenge.parameters.error)?.parameters.error
    return new AuthError('oauth_error', `The server rejected the request with ${error ?? `a ${cause.cause[0]?.scheme} challenge`}`, {
      cause,
      error,
      status,
    })
  }
  if (isTimeout(cause) || isTimeout(unreadBody(cause))) {
    return new AuthError('timeout', 'The request timed out', { cause })
  }
  if (unreadBody(cause) instanceof TypeError) {
    return new AuthError('network_error', 'The connection failed mid-answer', { cause })
  }
  const code = (cause as { code?: unknown } | null)?.code
  if (typeof code === 'string' && configErrorCodes.has(code)) {
    return new AuthError('config_error', (cause as Error).message, { cause })
  }
  // Anything else failed validation: oauth4webapi's OperationProcessingError (with the status of a
  // response of the wrong status or content type), or an error thrown while processing the answer.
  const message = cause instanceof Error ? messageOf(cause) : 'The operation failed'
  return new AuthError('invalid_response', message, { cause, status })
}

/** `method`, rejecting with an {@link AuthError} and nothing else: every public async method is one. */
export const guarded =
  <A extends unknown[], R>(method: (...args: A) => Promise<R>) =>
  async (...args: A): Promise<R> => {
    try {
      return await method(...args)
    } catch (cause) {
      throw toAuthError(cause)
    }
  }
