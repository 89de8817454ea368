import { AuthError } from '../core/errors.js'

/**
 * Where `createFetch()`'s fetch may send the access token: the app's own origin, the origins of the
 * `resourceIndicators()`, and `allowedOrigins`. A token sent anywhere else is a token
 * given away (RFC 9700 §4.9): an injected `<base href>`, a URL from user input or an API's
 * response must not be enough to leak it.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700.html#section-4.9
 */
export interface FetchOrigins {
  /** `location.origin`; undefined outside a browser, where only the configured origins count. */
  appOrigin: string | undefined
  /** `createFetch()`'s `allowedOrigins`, validated. */
  allowedOrigins: string[]
  /** The resources of `resourceIndicators()` (RFC 8707), the first being the session's own token's. */
  resources: string[]
}

/**
 * Validates `createFetch()`'s `allowedOrigins`: each an exact origin, `scheme://host[:port]` as
 * `URL.origin` writes it. No wildcard, path, query or trailing slash, which would make the rule
 * looser than it reads. Throws `config_error` naming the value.
 */
export function resolveAllowedOrigins(value: unknown): string[] {
  if (value === undefined) return []
  if (!Array.isArray(value)) throw new AuthError('config_error', 'allowedOrigins must be a list of origins')
  for (const origin of value) {
    const exact =
      typeof origin === 'string' &&
      !origin.includes('*') &&
      URL.canParse(origin) &&
      /^https?:$/.test(new URL(origin).protocol) &&
      new URL(origin).origin === origin
    if (!exact) {
      throw new AuthError(
        'config_error',
        `allowedOrigins takes exact origins like https://api.example.com (no wildcard, path or trailing slash): ${String(origin)}`,
      )
    }
  }
  return [...value]
}

/**
 * The URL of `value` when it is a `Request` of any window: one made in an iframe is not an
 * `instanceof` this window's `Request`, yet `fetch()` takes it as a request, not as a string. The
 * `url` getter checks that, and throws for anything else (an object that only claims to be one).
 */
function requestUrl(value: unknown): string | undefined {
  try {
    return Reflect.get(Request.prototype, 'url', value) as string
  } catch {
    return undefined
  }
}

/**
 * The request `fetch()` would make of `input`, and its absolute URL: a relative URL resolved
 * against `appOrigin`, never against `document.baseURI`, which an injected `<base href>` controls.
 * A `Request` was resolved when it was made, so its URL is taken as it is (and then checked like
 * any other).
 */
export function absoluteInput(input: RequestInfo | URL, appOrigin: string | undefined): { input: Request | URL; url: URL } {
  const ofRequest = requestUrl(input)
  if (ofRequest !== undefined) return { input: input as Request, url: new URL(ofRequest) }
  const href = String(input)
  if (!URL.canParse(href, appOrigin)) {
    throw new AuthError('config_error', `fetch() cannot resolve the URL ${href}`)
  }
  const url = new URL(href, appOrigin)
  return { input: url, url }
}

const originOf = (uri: string) => (URL.canParse(uri) ? new URL(uri).origin : 'null')

/**
 * The resource (RFC 8707) whose access token goes to `url`: among the configured resources on
 * `url`'s origin, the longest that `url` starts with, else the first of them. `undefined` means
 * the session's own token, for the app's origin and `allowedOrigins`. Any other origin, and any
 * URL that is not `http:` or `https:`, throws `config_error` naming it: nothing is sent.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8707.html#section-2
 */
export function resourceForUrl(url: URL, { appOrigin, allowedOrigins, resources }: FetchOrigins): string | undefined {
  const isHttp = url.protocol === 'http:' || url.protocol === 'https:'
  if (isHttp) {
    const onOrigin = resources.filter((resource) => originOf(resource) === url.origin)
    if (onOrigin.length > 0) {
      const prefixes = onOrigin.filter((resource) => url.href.startsWith(resource))
      return prefixes.sort((a, b) => b.length - a.length)[0] ?? onOrigin[0]
    }
    if (url.origin === appOrigin || allowedOrigins.includes(url.origin)) return undefined
  }
  throw new AuthError(
    'config_error',
    // Another scheme is named by itself: a `blob:` URL reports the origin inside it, maybe the app's.
    `createFetch() sends no token to ${isHttp ? url.origin : `a ${url.protocol} URL`}: not this app's origin, a resource's or in allowedOrigins`,
  )
}
