/**
 * `pixie-auth/isolation`: token isolation. The code exchange and every refresh happen in a worker
 * that pixie-auth ships (a `SharedWorker`, or a dedicated `Worker` per tab where there is none);
 * the page's scripts never hold the refresh token. See docs/token-isolation.md.
 *
 * @module pixie-auth/isolation
 */
import { AuthError } from './core/errors.js'
import { internalsOf } from './core/internals.js'
import type { SharedClient } from './core/internals.js'
import type { Plugin, PluginContext } from './core/options.js'
import type { AuthClient } from './core/types.js'
import { resolveAllowedOrigins } from './features/fetch-origins.js'
import type { WorkerEnd } from './features/isolation/connection.js'
import { createIsolatedClient, type IsolationSettings } from './features/isolation/page-client.js'
import type { SessionScope } from './core/internals.js'

export type { SessionScope }

/**
 * Options for {@link tokenIsolation}.
 *
 * @example
 * ```ts
 * const options: IsolationOptions = { accessTokenInWorker: true, allowedOrigins: ['https://api.example.com'] }
 * ```
 */
export interface IsolationOptions {
  /**
   * Keep the access token in the worker too: `createFetch(auth)` and `fetchUser(auth)` requests are
   * sent by the worker, and `getAccessToken()` rejects with `config_error`. With `dpop()`,
   * `createFetch(auth)` always goes through the worker, which holds the key. Default `false`.
   */
  accessTokenInWorker?: boolean
  /**
   * The origins, besides the app's own and those of `resourceIndicators()`, that `createFetch(auth)`
   * may send the token to when the worker sends the requests: exact origins, checked by the worker.
   * (`createFetch(auth, { allowedOrigins })` then rejects with `config_error`.)
   *
   * @see https://www.rfc-editor.org/rfc/rfc9700.html#section-4.9
   */
  allowedOrigins?: string[]
  /**
   * The app's own Service Workers, by script URL (a path on the app's origin, or absolute). Any other
   * registration on the origin makes every method reject with `config_error`: a Service Worker sees
   * the worker's token requests. Default: none.
   */
  serviceWorkers?: string[]
}

/**
 * What {@link tokenIsolation} makes, for the `isolation` option of `createAuthClient()`: its
 * settings, checked, as read-only fields.
 *
 * @example
 * ```ts
 * const plugin: IsolationPlugin = tokenIsolation({ accessTokenInWorker: true })
 * console.log(plugin.accessTokenInWorker) // true
 * ```
 */
export interface IsolationPlugin extends Plugin<SharedClient>, Readonly<IsolationSettings> {}

// Taken when this module is evaluated: a script that runs later and swaps them would sit between
// the app and its worker, so the client refuses to start if they changed.
const NativeSharedWorker = typeof SharedWorker === 'function' ? SharedWorker : undefined
const NativeWorker = typeof Worker === 'function' ? Worker : undefined

/**
 * Starts the worker. Each constructor call is written the way bundlers (Vite, webpack 5, Next.js)
 * recognise, so that they emit the worker file with no configuration.
 */
function startWorker(): WorkerEnd {
  if (globalThis.SharedWorker !== NativeSharedWorker || globalThis.Worker !== NativeWorker) {
    throw new AuthError('config_error', 'Token isolation: SharedWorker or Worker was replaced after pixie-auth loaded')
  }
  if (NativeSharedWorker) {
    const worker = new SharedWorker(new URL('./isolation-worker.js', import.meta.url), {
      type: 'module',
      name: 'pixie-auth',
      // Chromium keeps the worker a while past its last page: a single tab's reload keeps a Bearer session.
      extendedLifetime: true,
    } as WorkerOptions)
    return { port: worker.port, errors: worker, shared: true }
  }
  if (!NativeWorker) throw new AuthError('config_error', 'Token isolation needs SharedWorker or Worker')
  const worker = new Worker(new URL('./isolation-worker.js', import.meta.url), { type: 'module', name: 'pixie-auth' })
  return { port: worker, errors: worker, shared: false }
}

function isolationSetup(this: IsolationPlugin, context: PluginContext): SharedClient {
  return createIsolatedClient(context, this, startWorker)
}

/**
 * Token isolation, for the `isolation` option of `createAuthClient()`: the refresh token lives only
 * in a worker pixie-auth ships, which redeems the code and refreshes (draft-ietf-oauth-browser-based-apps
 * §6.4.2.1). Without DPoP the refresh token is in the worker's memory only: the session lasts while
 * a tab of the app is open (see {@link sessionScope}). With `dpop()` the worker also keeps it in
 * IndexedDB, bound to a non-extractable key, and the session survives restarts.
 *
 * The page needs `worker-src 'self'` in its CSP. Any failure to start the worker makes every method
 * reject with `config_error`: the client never falls back to holding tokens in the page.
 *
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-oauth-browser-based-apps
 * @example
 * ```ts
 * import { createAuthClient } from 'pixie-auth'
 * import { tokenIsolation } from 'pixie-auth/isolation'
 * const auth = createAuthClient({ issuer, clientId, redirectUri, isolation: tokenIsolation() })
 * ```
 */
export function tokenIsolation({ accessTokenInWorker = false, allowedOrigins, serviceWorkers = [] }: IsolationOptions = {}): IsolationPlugin {
  if (typeof accessTokenInWorker !== 'boolean') throw new AuthError('config_error', 'accessTokenInWorker must be a boolean')
  if (!Array.isArray(serviceWorkers) || !serviceWorkers.every((each) => typeof each === 'string')) {
    throw new AuthError('config_error', 'serviceWorkers must be an array of script URLs')
  }
  return Object.freeze({
    option: 'isolation',
    setup: isolationSetup,
    accessTokenInWorker,
    allowedOrigins: Object.freeze(resolveAllowedOrigins(allowedOrigins)) as string[],
    serviceWorkers: Object.freeze(serviceWorkers) as string[],
  })
}

/**
 * How long a session of `auth` lasts in this mode, so an app can tell its users: `'browser'` (with
 * `dpop()`: reloads and restarts), `'open-tabs'` (Bearer in a `SharedWorker`: while a tab of the app
 * is open, and in Chromium a while more), `'this-tab'` (Bearer in a dedicated worker: this tab's life).
 *
 * @example
 * ```ts
 * if ((await sessionScope(auth)) !== 'browser') showNotice('You will be signed out when you close the app')
 * ```
 */
export async function sessionScope(auth: AuthClient): Promise<SessionScope> {
  const scope = await internalsOf(auth).sessionScope?.()
  if (!scope) throw new AuthError('config_error', 'sessionScope() needs a client made with tokenIsolation()')
  return scope
}
