/**
 * Vue bindings: a plugin that provides one client and a reactive copy of its state, a composable,
 * and a vue-router guard. Behaviour lives in the core; this file only connects it to Vue.
 *
 * @module pixie-auth/vue
 */
import { computed, inject, shallowRef, type App, type ComputedRef, type InjectionKey, type ShallowRef } from 'vue'
import { authActions, type AuthActions, type ClientOrOptions } from '../auth-actions.js'
import { createAuthClient, ensureAuthenticated, handleRedirectCallbackOnce, loginFailure, restoreReturnTo } from '../../index.js'
import type { AuthClient, AuthClientOptions, AuthState } from '../../index.js'

export type { ClientOrOptions }

interface AuthContext {
  client: AuthClient
  state: Readonly<ShallowRef<AuthState>>
  actions: AuthActions
}

const authKey: InjectionKey<AuthContext> = Symbol('pixie-auth')

function injectAuth(caller: string): AuthContext {
  const context = inject(authKey, null)
  if (!context) throw new Error(`${caller} needs the plugin: app.use(createAuth(...))`)
  return context
}

/** The part of a vue-router `Router` the plugin uses, so vue-router stays optional. */
interface ReplacingRouter {
  replace(path: string): unknown
}

/**
 * Options of {@link createAuth}: a client made with `createAuthClient()`, or the options to make
 * one, and what to do after a login.
 *
 * @example
 * ```ts
 * createAuth({ client: auth })
 * createAuth({ issuer: 'https://login.example.com', clientId: 'my-spa', redirectUri: `${location.origin}/` })
 * ```
 */
export type CreateAuthOptions<Claims extends object = {}> = {
  /**
   * Called once after a successful redirect callback, with the `appState` given to
   * `loginWithRedirect()`. Default: `restoreReturnTo()` from the core, which goes to
   * `appState.returnTo` when it is a same-origin path, with the app's router when it has one.
   */
  onRedirectCallback?: (appState: unknown) => void
  /**
   * Do not complete the login on the redirect URI by yourself: the app calls
   * `client.handleRedirectCallback()` there (e.g. in its own callback route). Meanwhile the state
   * stays `loading` and `authGuard` waits. Default false.
   */
  skipRedirectCallback?: boolean
} & ClientOrOptions<Claims>

/**
 * The plugin {@link createAuth} returns; `Claims` types the app's own claims of the user.
 *
 * @example
 * ```ts
 * const auth: AuthPlugin = createAuth({ client })
 * app.use(auth)
 * const token = await auth.client.getAccessToken() // outside components
 * ```
 */
export interface AuthPlugin<Claims extends object = {}> {
  /** The plugin's client, for code outside components. */
  readonly client: AuthClient<Claims>
  /** Called by `app.use()`. */
  install(app: App): void
}

/**
 * Creates the plugin. On `app.use()` it provides the client to {@link useAuth} and
 * {@link authGuard}, and completes the login when the page is the client's redirect callback (its
 * redirect URI, origin and path, with a response to one of its logins; any other page with `code`
 * and `state` is left alone), unless `skipRedirectCallback` leaves that to the app. `Claims` types
 * the app's own claims of the user (see `createAuthClient<Claims>()`); read them in components
 * with `useAuth<Claims>()`.
 *
 * @example
 * ```ts
 * const app = createApp(App)
 * app.use(router)
 * app.use(createAuth({ issuer, clientId, redirectUri: `${location.origin}/` }))
 * router.beforeEach(authGuard)
 * app.mount('#app')
 * ```
 */
export function createAuth<Claims extends object = {}>(options: CreateAuthOptions<Claims>): AuthPlugin<Claims> {
  const { onRedirectCallback, skipRedirectCallback = false, client: given, ...clientOptions } = options
  const client = given ?? createAuthClient<Claims>(clientOptions as AuthClientOptions)
  return {
    client,
    install(app) {
      const state = shallowRef(client.getState())
      app.provide(authKey, { client, state, actions: authActions(client) })
      // A server render (no window) shows the loading state, as React's does: subscribing would
      // read storage and open a BroadcastChannel that keeps the server's process alive.
      if (typeof window === 'undefined') return

      const unsubscribe = client.subscribe((next) => {
        state.value = next
      })
      // `onUnmount` exists from Vue 3.5; before, the listener lives as long as the client. A
      // client made here is disposed of with the app; a client passed in is left to its owner.
      app.onUnmount?.(() => {
        unsubscribe()
        if (!given) client.dispose()
      })

      void handleRedirectCallbackOnce(client, { skip: skipRedirectCallback }).then((result) => {
        if (!result) return
        if (onRedirectCallback) return onRedirectCallback(result.appState)
        // Read now, not at install: the router may be installed after this plugin.
        const router = app.config.globalProperties.$router as ReplacingRouter | undefined
        restoreReturnTo(result.appState, router && ((path) => router.replace(path)))
      })
    },
  }
}

/**
 * What {@link useAuth} returns: the core's state as refs, and the actions; `Claims` types the
 * app's own claims of `user`.
 *
 * @example
 * ```ts
 * const { isAuthenticated, user }: UseAuthResult = useAuth()
 * watch(isAuthenticated, (signedIn) => console.log(signedIn ? user.value?.name : 'signed out'))
 * ```
 */
export interface UseAuthResult<Claims extends object = {}> extends AuthActions<Claims> {
  /** The core's state snapshot; replaced (not mutated) on each change. */
  state: Readonly<ShallowRef<AuthState<Claims>>>
  /**
   * `loading` until the start-up hint or the stored session has answered (and a pending redirect
   * callback has completed), then `authenticated` or `unauthenticated`. The hint answers at once:
   * draw the signed-in layout (a skeleton) on `authenticated`.
   */
  status: ComputedRef<AuthState['status']>
  /**
   * `status === 'authenticated'` for a session read from IndexedDB: false while only the start-up
   * hint says so (`state.value.unconfirmed`). Gate what the session protects on this.
   */
  isAuthenticated: ComputedRef<boolean>
  /**
   * Until the stored session has answered: `status === 'loading'` (no hint, or a redirect callback
   * still completing), or an unconfirmed hint of a session.
   */
  isLoading: ComputedRef<boolean>
  /** The validated ID token claims of the signed-in user. */
  user: ComputedRef<AuthState<Claims>['user']>
  /** The last error that ended a session or a login (an `AuthError`). */
  error: ComputedRef<AuthState['error']>
}

/**
 * The auth state as refs, the client's actions, and the client itself (`client`) for the features
 * that take it: `createFetch(client)` from `pixie-auth/fetch`, `loginWithPopup(client)` from
 * `pixie-auth/popup`, `fetchUser(client)` from `pixie-auth/userinfo`. `Claims` types the app's own
 * claims of `user`, as given to `createAuth<Claims>()`; nothing checks them.
 *
 * @example
 * ```vue
 * <script setup lang="ts">
 * const { isAuthenticated, user, loginWithRedirect, logout, client } = useAuth()
 * const { user: member } = useAuth<{ roles?: string[] }>() // member.value?.roles: string[] | undefined
 * const authFetch = createFetch(client, { allowedOrigins: ['https://api.example.com'] })
 * </script>
 * <template>
 *   <button v-if="!isAuthenticated" @click="loginWithRedirect()">Log in</button>
 *   <button v-else @click="logout()">Log out {{ user?.name }}</button>
 * </template>
 * ```
 */
export function useAuth<Claims extends object = {}>(): UseAuthResult<Claims> {
  const { state, actions } = injectAuth('useAuth()')
  // The plugin holds any client: the claims are the caller's word, as for the client.
  return {
    state,
    status: computed(() => state.value.status),
    isAuthenticated: computed(() => state.value.status === 'authenticated' && !state.value.unconfirmed),
    isLoading: computed(() => state.value.status === 'loading' || !!state.value.unconfirmed),
    user: computed(() => state.value.user),
    error: computed(() => state.value.error),
    ...actions,
  } as UseAuthResult<Claims>
}

/**
 * The part of a vue-router route location the guard reads.
 *
 * @example
 * ```ts
 * const allowed = await authGuard({ fullPath: '/orders?page=2', meta: { requiresAuth: true } })
 * ```
 */
export interface GuardedRoute {
  /** Path, search and hash: where the login comes back to. */
  fullPath: string
  /** Merged from every matched route record, as vue-router does. */
  meta: Record<PropertyKey, unknown>
}

/**
 * Options of {@link createAuthGuard}.
 *
 * @example
 * ```ts
 * router.beforeEach(createAuthGuard({ errorRoute: '/login-failed' }))
 * ```
 */
export interface AuthGuardOptions {
  /**
   * The path of a public route (no `requiresAuth`) that a navigation to a protected route goes to
   * when the last login failed and no new login starts by itself (see `loginFailure()` in the
   * core): the user refused consent (`oauth_error` with `error: 'access_denied'`), the server is
   * misconfigured or was unreachable. It gets the protected route's full path as the `returnTo` query parameter; its
   * "Try again" calls `loginWithRedirect({ appState: { returnTo } })`, and `useAuth().error` says
   * why. Default: none, and such a navigation is cancelled (the failure stays in `useAuth().error`).
   */
  errorRoute?: string
}

/**
 * Makes a vue-router (4.2+) navigation guard: a route with `meta: { requiresAuth: true }` (on it or
 * a parent) is entered only with a session read from IndexedDB (never on the start-up hint alone);
 * otherwise the navigation is cancelled and a login starts that comes back to the route's full
 * path (see `ensureAuthenticated()` in the core). When the last login failed, the navigation goes
 * to `errorRoute` instead, or is cancelled without one.
 *
 * @example
 * ```ts
 * const router = createRouter({
 *   history: createWebHistory(),
 *   routes: [
 *     { path: '/orders', component: Orders, meta: { requiresAuth: true } },
 *     { path: '/login-failed', component: LoginFailed },
 *   ],
 * })
 * router.beforeEach(createAuthGuard({ errorRoute: '/login-failed' }))
 * ```
 */
export function createAuthGuard({ errorRoute }: AuthGuardOptions = {}) {
  return (to: GuardedRoute): boolean | Promise<boolean | GuardRedirect> => {
    if (!to.meta.requiresAuth) return true
    // vue-router runs guards inside the app's context, so `inject` finds the plugin (before any await).
    const { client } = injectAuth('authGuard')
    return ensureAuthenticated(client, to.fullPath).then((signedIn) => {
      if (signedIn || errorRoute === undefined || !loginFailure(client.getState())) return signedIn
      return { path: errorRoute, query: { returnTo: to.fullPath } }
    })
  }
}

/**
 * Where {@link createAuthGuard}'s guard sends a navigation after a failed login, as a vue-router
 * location.
 *
 * @example
 * ```ts
 * const redirect: GuardRedirect = { path: '/login-failed', query: { returnTo: '/orders?page=2' } }
 * ```
 */
export interface GuardRedirect {
  /** The `errorRoute` option. */
  path: string
  /** `returnTo`: the full path of the protected route asked for. */
  query: Record<'returnTo', string>
}

/**
 * The guard of {@link createAuthGuard} without options: a route with `meta: { requiresAuth: true }`
 * (on it or a parent) is entered only with a session read from IndexedDB; otherwise the navigation
 * is cancelled and a login starts that comes back to the route's full path. After a failed login
 * the navigation is cancelled and `useAuth().error` says why; give an `errorRoute` to
 * `createAuthGuard()` to send the user to a page of its own instead.
 *
 * @example
 * ```ts
 * const router = createRouter({
 *   history: createWebHistory(),
 *   routes: [{ path: '/orders', component: Orders, meta: { requiresAuth: true } }],
 * })
 * router.beforeEach(authGuard)
 * ```
 */
export const authGuard = createAuthGuard()
