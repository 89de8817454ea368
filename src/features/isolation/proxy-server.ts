// The worker's side of token isolation's proxy: a page's request, rebuilt and checked, sent with the
// access token (and a DPoP proof) that only the worker holds.
import { AuthError } from '../../core/errors.js'
import type { AuthorizedFetch } from '../fetch.js'
import { streamBody } from './body-stream.js'
import { hasFields, stringRecord, type WireError } from './protocol.js'

/** The largest request body a page may have the worker send. */
const maxBodyBytes = 32 * 1024 * 1024

/** The request settings that cross with a proxied request (redirects are never followed). */
const carriedSettings = {
  cache: 'string?',
  credentials: 'string?',
  integrity: 'string?',
  keepalive: 'boolean?',
  mode: 'string?',
  referrer: 'string?',
  referrerPolicy: 'string?',
}

/**
 * A proxied request, rebuilt from its parts: the URL the worker checks is the one it sends to, with
 * no credentials in it, and no `Authorization` or `DPoP` header of the caller's.
 */
function proxiedRequest(args: Record<string, unknown>, signal: AbortSignal): Request {
  const url = new URL(args.url as string)
  if (url.username || url.password) throw new AuthError('config_error', 'createFetch() sends no token to a URL with credentials')
  const headers = new Headers(stringRecord('headers', args.headers))
  if (headers.has('authorization') || headers.has('dpop')) {
    throw new AuthError('config_error', 'createFetch() sets Authorization and DPoP itself')
  }
  const { body = null } = args
  if (body !== null && !(body instanceof ArrayBuffer && body.byteLength <= maxBodyBytes)) {
    throw new AuthError('config_error', `A proxied body is an ArrayBuffer of at most ${maxBodyBytes} bytes`)
  }
  const settings = args.settings as Record<string, unknown>
  if (!hasFields(settings, carriedSettings)) throw new AuthError('config_error', 'Unknown request settings')
  return new Request(url.href, { ...(settings as RequestInit), method: args.method as string, headers, body, signal })
}

/**
 * Sends a page's `fetch` request through `proxy` (`createFetch()` in the worker, whose origin
 * policy decides) and answers the response's head; the body goes over the one port the page
 * transferred with the request, as the page pulls it. `finished` runs when the body is done.
 */
export async function sendProxied(
  proxy: AuthorizedFetch,
  args: Record<string, unknown>,
  ports: readonly MessagePort[],
  signal: AbortSignal,
  wireError: (error: unknown) => Promise<WireError>,
  finished: () => void,
) {
  const [bodyPort] = ports
  if (ports.length !== 1 || !bodyPort) throw new AuthError('config_error', 'A proxied request needs one port for its body')
  try {
    const response = await proxy(proxiedRequest(args, signal))
    streamBody(response, bodyPort, wireError, finished)
    return { status: response.status, statusText: response.statusText, headers: [...response.headers], type: response.type }
  } catch (error) {
    bodyPort.close()
    throw error
  }
}
