import type { AuthState } from './auth-state.js'
import { isCallbackFor } from './callback.js'
import { metadataSource } from './discovery.js'
import { AuthError, guarded, toAuthError } from './errors.js'
import { registerInternals, type ClientInternals, type SharedClient } from './internals.js'
import { createLoginFlow } from './login-flow.js'
import { endSessionEverywhere } from './logout.js'
import { completeLogoutReturn } from './logout-return.js'
import { resolveOptions, type AuthClientOptions, type ResolvedOptions } from './options.js'
import { withRefreshLock } from './refresh-lock.js'
import { isFresh } from './session.js'
import { createSessionSync } from './session-sync.js'
import { acquireShared, optionsKey, peekShared, releaseShared } from './shared-clients.js'
import { sharedRun } from './shared-run.js'
import { browserStore, memoryStore, tabStore, type BrowserStore } from './storage.js'
import { requestedTarget, tokenFor } from './targets.js'
import { resolveAppUrl } from './url-policy.js'
import { createRefreshCoordination, type Lock } from './refresh-coordination.js'
import type { AuthClient, GetAccessTokenOptions, LoginOptions, LogoutOptions } from './types.js'

type Methods = Omit<AuthClient, 'dispose'>

/**
 * Creates a client. Creating it touches no browser API (safe during server-side rendering); the
 * stored session is read on first use.
 *
 * Clients made with equal options in one page (hot module reload, remounts, two bindings) share
 * one state, one channel to the other tabs and one refresh; `dispose()` lets go of one.
 *
 * `Claims` types the app's own claims of the user (see {@link User}); nothing checks them.
 *
 * @example
 * ```ts
 * const auth = createAuthClient({
 *   issuer: 'https://login.example.com',
 *   clientId: 'my-spa',
 *   redirectUri: '/callback', // or an absolute URL
 * })
 * const withRoles = createAuthClient<{ roles?: string[] }>({ issuer, clientId, redirectUri })
 * ```
 */
export function createAuthClient<Claims extends object = {}>(options: AuthClientOptions): AuthClient<Claims> {
  // Checked now, so a bad option throws here rather than at first use; and taken now, so an options
  // object changed afterwards (a plug-in deleted) cannot make a client other than the one checked.
  const config = resolveOptions(options)
  const key = optionsKey(options)
  let shared: SharedClient | undefined
  const use = () => (shared ??= acquireShared(key, () => createSharedClient(config)))
  const forward =
    <K extends keyof Methods>(name: K) =>
    (...args: Parameters<Methods[K]>): ReturnType<Methods[K]> =>
      (use()[name] as (...args: Parameters<Methods[K]>) => ReturnType<Methods[K]>)(...args)
  const client: AuthClient = {
    loginWithRedirect: forward('loginWithRedirect'),
    isRedirectCallback: forward('isRedirectCallback'),
    handleRedirectCallback: forward('handleRedirectCallback'),
    getAccessToken: forward('getAccessToken'),
    getUser: forward('getUser'),
    isAuthenticated: forward('isAuthenticated'),
    logout: forward('logout'),
    subscribe: forward('subscribe'),
    // Reading the state is not a use: React reads it while rendering, before any effect runs.
    getState: () => (shared ?? peekShared<SharedClient>(key))?.getState() ?? notLoaded,
    dispose() {
      if (!shared) return
      shared = undefined
      releaseShared(key)
    },
  }
  registerInternals(client, () => use().internals)
  // Only a type: the claims are whatever the server sent.
  return client as AuthClient<Claims>
}

const notLoaded: AuthState = { status: 'loading' }

/**
 * The client behind the handles. `store` holds the session: IndexedDB, or memory where it is
 * unavailable; token isolation's worker gives memory alone for Bearer sessions. @internal
 */
export function createSharedClient(config: ResolvedOptions, store: BrowserStore = browserStore(memoryStore)): SharedClient {
  const context = { config, store }
  // Token isolation: the session is the worker's, and this page only talks to it.
  if (config.isolation) return config.isolation.setup(context) as SharedClient
  // A login transaction must outlive the redirect: without IndexedDB, in this tab's sessionStorage.
  const transactions = browserStore(tabStore)
  const dpop = config.dpop?.setup(context)
  const par = config.par?.setup(context)
  const resources = config.resource?.setup(context)
  const silentLogin = config.silentLogin?.setup(context)
  const resourceList = resources?.resources ?? []
  const own = { resource: resourceList[0] }

  const metadata = metadataSource(config)
  const lockName = `pixie-auth:${config.namespace}`
  /** Every wait for the cross-tab lock is bounded: its holder may be frozen. */
  const lock: Lock = (task, signal) => withRefreshLock(lockName, task, { waitMs: config.lockWaitMs, signal })
  const isCallback = (url: string) => isCallbackFor(resolveAppUrl(config.redirectUri), config.namespace, url)
  const sync = createSessionSync(config, store, lockName, () => typeof location !== 'undefined' && isCallback(location.href), own.resource)
  const tokens = createRefreshCoordination(config, sync, lock, lockName, own, dpop, metadata)
  const login = createLoginFlow({ config, sync, lock, metadata, transactions, own, resources: resourceList, dpop, par })
  const callbacks = new Map<string, ReturnType<typeof login.complete>>()
  // Back from the server's end-session endpoint: its `state` leaves the address bar, whatever the
  // app does (the bindings, a page that only subscribes). Failing storage only leaves it there.
  if (typeof location !== 'undefined') completeLogoutReturn(transactions, config.namespace, location.href).catch(() => {})

  async function getAccessToken({ forceRefresh = false, resource, scope }: GetAccessTokenOptions = {}): Promise<string> {
    // A call the client cannot answer is a config_error, session or not.
    const target = requestedTarget(resources, resource, scope)
    await sync.restore()
    const session = sync.current()
    if (!session) throw new AuthError('login_required', 'Not logged in')
    const current = tokenFor(session, target)
    if (!forceRefresh && current && isFresh(current, config.refreshLeewaySeconds)) return current.accessToken
    const next = await tokens.refresh(forceRefresh ? current?.accessToken : undefined, target)
    // A refresh for a target always leaves a token for it in the session it resolves with.
    return tokenFor(next, target)!.accessToken
  }

  /** With `silentLogin()`, a `getAccessToken()` that finds no session logs in silently, then tries again. */
  async function getAccessTokenOrLogIn(options: GetAccessTokenOptions = {}): Promise<string> {
    try {
      return await getAccessToken(options)
    } catch (cause) {
      if (!silentLogin || toAuthError(cause).code !== 'login_required') throw cause
      await silentLogin.login(login.steps).catch((failure: unknown) => {
        // Its failure goes to the state, as a failed redirect login's does.
        const error = toAuthError(failure)
        sync.adopt(sync.current(), error)
        throw error
      })
      // The new session's token is fresh; forcing a refresh would spend a refresh token for nothing.
      return getAccessToken({ ...options, forceRefresh: false })
    }
  }

  const internals: ClientInternals = {
    config,
    metadata,
    resource: resources,
    dpop,
    loginSteps: login.steps,
    getAccessToken: guarded(getAccessTokenOrLogIn),
    session: async () => {
      await sync.restore()
      return sync.current()
    },
    endSession: (options) => endSessionEverywhere({ config, sync, lock, metadata, dpop, transactions }, options),
    updateSession: (change) =>
      lock(async () => {
        const { session: stored } = await sync.readNewest()
        const next = stored && change(stored)
        if (next) await sync.share(next)
      }),
  }

  return {
    internals,
    loginWithRedirect: guarded(async (options: LoginOptions = {}) => void (await login.redirect(options))),
    isRedirectCallback: (url = location.href) => isCallback(url),
    handleRedirectCallback: guarded((url: string = location.href) => sharedRun(callbacks, url, () => login.complete(url))),
    getAccessToken: internals.getAccessToken,
    getUser: guarded(async () => (await internals.session())?.user),
    isAuthenticated: guarded(async () => (await internals.session()) !== undefined),
    logout: guarded(async (options: LogoutOptions = {}) => {
      const destination = await internals.endSession(options)
      if (destination) location.assign(destination)
    }),
    subscribe(listener) {
      // Listening first: restoring may answer at once, from the hint.
      const unsubscribe = sync.state.subscribe(listener)
      void sync.restore()
      return unsubscribe
    },
    getState: sync.state.get,
    close() {
      tokens.stop()
      sync.close()
    },
  }
}
