// The page's client in token isolation mode: the core's methods, each a request to the worker,
// which holds the session. What needs the page (navigating, the address bar, silent and popup
// logins) stays here.
import { createStateStore } from '../../core/auth-state.js'
import { isCallbackFor } from '../../core/callback.js'
import { cleanCallbackUrl, parseCallbackUrl } from '../../core/callback-url.js'
import { AuthError, guarded, toAuthError } from '../../core/errors.js'
import type { ClientInternals, SharedClient } from '../../core/internals.js'
import { completeLogoutReturn } from '../../core/logout-return.js'
import type { PluginContext } from '../../core/options.js'
import { watchPageLifecycle } from '../../core/page-lifecycle.js'
import type { LoginSteps } from '../../core/plugins.js'
import { sharedRun } from '../../core/shared-run.js'
import { browserStore, tabStore } from '../../core/storage.js'
import { isOwnState } from '../../core/transaction.js'
import type { GetAccessTokenOptions, LoginOptions, LogoutOptions, RedirectCallbackResult } from '../../core/types.js'
import { assertReturnUrl, resolveAppUrl } from '../../core/url-policy.js'
import { connect, type Connection, type WorkerEnd } from './connection.js'
import { fromWireError, wireConfig, type WireState } from './protocol.js'
import { proxiedFetch } from './proxied-fetch.js'
import { foreignServiceWorker, foreignServiceWorkerError } from './service-workers.js'

/** The isolation plug-in's own settings, checked by `tokenIsolation()`. */
export interface IsolationSettings {
  /** The access token stays in the worker: see `IsolationOptions.accessTokenInWorker`. */
  accessTokenInWorker: boolean
  /** Exact origins the worker's proxy may send the token to, checked. */
  allowedOrigins: string[]
  /** Absolute script URLs of the app's own Service Workers; any other registration stops the client. */
  serviceWorkers: string[]
}

export function createIsolatedClient(context: PluginContext, settings: IsolationSettings, start: () => WorkerEnd): SharedClient {
  const { config } = context
  const state = createStateStore({ status: 'loading' })
  const silentLogin = config.silentLogin?.setup(context)
  const resources = config.resource?.setup(context)
  const transactions = browserStore(tabStore)
  const deadlineMs = config.lockWaitMs + 2 * config.timeoutSeconds * 1000 + 5000
  let connection: Promise<Connection> | undefined

  const adopt = ({ error, ...next }: WireState) => {
    const current = state.get()
    // On the callback page "no session" is not the answer yet: handleRedirectCallback() gives it
    // (as the core does), so a route guard does not start a second login meanwhile.
    if (current.status === 'loading' && next.status === 'unauthenticated' && isCallback(location.href)) return
    const sameUser = JSON.stringify(next.user) === JSON.stringify(current.user)
    state.set({ ...next, user: sameUser ? current.user : next.user, error: error && fromWireError(error) })
  }
  const proxied = settings.accessTokenInWorker || config.dpop !== undefined
  const connected = () =>
    (connection ??= foreignServiceWorker(settings.serviceWorkers)
      .then((foreign) => {
        // Only the worker's proxy reads them: anywhere else they would be a list that does nothing.
        if (settings.allowedOrigins.length && !proxied) {
          throw new AuthError('config_error', 'tokenIsolation({ allowedOrigins }) is for accessTokenInWorker or dpop(); else pass them to createFetch(auth, { allowedOrigins })')
        }
        if (foreign) throw foreignServiceWorkerError(foreign)
        const onCheck = async () => (await foreignServiceWorker(settings.serviceWorkers)) !== undefined
        return connect({ start, config: wireConfig(config, settings), deadlineMs, onState: adopt, onDeath: reconnect, onCheck })
      })
      .catch((error: unknown) => {
        connection = undefined
        const failure = toAuthError(error)
        state.set({ status: 'unauthenticated', error: failure })
        throw failure
      }))
  function reconnect() {
    connection = undefined
    void connected().catch(() => {})
  }
  const call = async <T>(op: Parameters<Connection['request']>[0], args?: Record<string, unknown>) => (await connected()).request<T>(op, args)

  const isCallback = (url: string) => isCallbackFor(resolveAppUrl(config.redirectUri), config.namespace, url)
  const callbacks = new Map<string, Promise<RedirectCallbackResult>>()
  const loginSteps = (options: LoginOptions): LoginSteps<RedirectCallbackResult> => ({
    async start(navigate) {
      const { url, state: loginState } = await call<{ url: string; state: string }>('login', { ...options })
      navigate(new URL(url))
      return loginState
    },
    complete: (url) => call('complete', { url }),
    abandon: (loginState) => call('abandon', { state: loginState }),
  })

  // Concurrent calls with the same options share one request: a page's burst of calls must not
  // run into the worker's cap on requests per port.
  const tokenRequests = new Map<string, Promise<string>>()
  const requestToken = (options: GetAccessTokenOptions) =>
    sharedRun(tokenRequests, JSON.stringify(options), () => call<string>('token', { ...options }))

  async function getAccessToken(options: GetAccessTokenOptions = {}): Promise<string> {
    if (settings.accessTokenInWorker) throw new AuthError('config_error', 'The access token stays in the worker: use createFetch(auth)')
    try {
      return await requestToken(options)
    } catch (cause) {
      if (!silentLogin || toAuthError(cause).code !== 'login_required') throw cause
      await silentLogin.login(loginSteps)
      return call<string>('token', { ...options, forceRefresh: false })
    }
  }

  const confirmedState = () => call<WireState>('state')
  const internals: ClientInternals = {
    config,
    metadata: () => Promise.reject(new AuthError('config_error', 'Token isolation: the server metadata is the worker’s')),
    loginSteps,
    resource: resources,
    getAccessToken: guarded(getAccessToken),
    endSession: (options) => call<string | undefined>('logout', { ...options }),
    // The page holds no session: only the worker does.
    session: async () => undefined,
    updateSession: () => Promise.reject(new AuthError('config_error', 'Token isolation: the session is the worker’s')),
    fetch: proxied
        ? proxiedFetch(connected, { allowedOrigins: settings.allowedOrigins, resources: resources?.resources ?? [] })
        : undefined,
    userInfo: () => call('userinfo'),
    sessionScope: async () => (await connected()).scope,
  }

  if (typeof location !== 'undefined') completeLogoutReturn(transactions, config.namespace, location.href).catch(() => {})
  // A page in the back/forward cache lets go of the worker (its port and lock), and comes back to it.
  const stopWatching = watchPageLifecycle({
    onHide: () => {
      void connection?.then((open) => open.close(), () => {})
      connection = undefined
    },
    onRestore: reconnect,
  })

  return {
    internals,
    loginWithRedirect: guarded((options: LoginOptions = {}) => loginSteps(options).start((url) => location.assign(url)).then(() => {})),
    isRedirectCallback: (url = location.href) => isCallback(url),
    handleRedirectCallback: guarded((url: string = location.href) =>
      sharedRun(callbacks, url, async () => {
        const callbackUrl = parseCallbackUrl(url)
        // Another client's response stays as it is, for that client.
        if (!callbackUrl || !isOwnState(config.namespace, callbackUrl.searchParams.get('state'))) {
          throw new AuthError('invalid_state', 'Not a response to a login of this client')
        }
        cleanCallbackUrl(callbackUrl)
        return call<RedirectCallbackResult>('complete', { url })
      }),
    ),
    getAccessToken: internals.getAccessToken,
    getUser: guarded(async () => (await confirmedState()).user),
    isAuthenticated: guarded(async () => (await confirmedState()).status === 'authenticated'),
    logout: guarded(async (options: LogoutOptions = {}) => {
      // Checked here too, so that a bad `returnTo` fails before the worker is asked.
      assertReturnUrl('returnTo', options.returnTo, config.allowInsecureRequests)
      const destination = await internals.endSession(options)
      if (destination) location.assign(destination)
    }),
    subscribe(listener) {
      const unsubscribe = state.subscribe(listener)
      void connected().catch(() => {})
      return unsubscribe
    },
    getState: state.get,
    close() {
      stopWatching()
      void connection?.then((open) => open.close(), () => {})
      connection = undefined
    },
  }
}
