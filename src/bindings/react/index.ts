/**
 * React bindings: a context holding one client, and hooks that read the core's state. Behaviour
 * lives in the core; this file only connects it to React's lifecycle.
 *
 * @module pixie-auth/react
 */
import {
  createContext,
  createElement,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
  type ReactNode,
} from 'react'
import { authActions, type AuthActions, type ClientOrOptions } from '../auth-actions.js'
import { createAuthClient, ensureAuthenticated, handleRedirectCallbackOnce, loginFailure, restoreReturnTo } from '../../index.js'
import type { AuthClient, AuthClientOptions, AuthError, AuthState } from '../../index.js'

export type { ClientOrOptions }

interface AuthContextValue {
  client: AuthClient
  actions: AuthActions
}

const AuthContext = createContext<AuthContextValue | null>(null)

function useAuthContext(caller: string): AuthContextValue {
  const context = useContext(AuthContext)
  if (!context) throw new Error(`${caller} must be used inside <AuthProvider>`)
  return context
}

/** The core's state; re-renders only when the snapshot changes (it keeps its identity otherwise). */
const useAuthState = (client: AuthClient): AuthState =>
  useSyncExternalStore(client.subscribe, client.getState, client.getState)

/**
 * Props of {@link AuthProvider}: a client made with `createAuthClient()`, or the options to make
 * one. Either way the provider keeps the first client for its lifetime; give it a `key` to start
 * over with another. A client made from options is disposed of when the provider unmounts; a
 * client passed in is left to the app.
 *
 * @example
 * ```tsx
 * <AuthProvider client={auth}>{app}</AuthProvider>
 * <AuthProvider issuer="https://login.example.com" clientId="my-spa" redirectUri={`${location.origin}/`}>{app}</AuthProvider>
 * ```
 */
export type AuthProviderProps<Claims extends object = {}> = {
  /** The app, or the part of it that uses {@link useAuth} and {@link RequireAuth}. */
  children?: ReactNode
  /**
   * Called once after a successful redirect callback, with the `appState` given to
   * `loginWithRedirect()`. Default: {@link restoreReturnTo}, which goes to `appState.returnTo` with
   * `history.replaceState` when it is a same-origin path. With a router, navigate with the router.
   */
  onRedirectCallback?: (appState: unknown) => void
  /**
   * Do not complete the login on the redirect URI by yourself: the app calls
   * `client.handleRedirectCallback()` there (e.g. in its own callback route). Meanwhile the state
   * stays `loading` and `<RequireAuth>` waits. Default false.
   */
  skipRedirectCallback?: boolean
} & ClientOrOptions<Claims>

/**
 * Makes a client available to {@link useAuth} and {@link RequireAuth} below it, and completes the
 * login when the page is the client's redirect callback (its redirect URI, origin and path, with a
 * response to one of its logins; any other page with `code` and `state` is left alone): once, also
 * under `<StrictMode>`, whose double effects share the core's single callback. `skipRedirectCallback`
 * leaves that to the app.
 *
 * @example
 * ```tsx
 * const auth = createAuthClient({ issuer, clientId, redirectUri: `${location.origin}/` })
 *
 * createRoot(root).render(
 *   <AuthProvider client={auth} onRedirectCallback={(appState) =>
 *     restoreReturnTo(appState, (path) => router.navigate(path, { replace: true }))}>
 *     <RouterProvider router={router} />
 *   </AuthProvider>,
 * )
 * ```
 */
export function AuthProvider<Claims extends object = {}>(props: AuthProviderProps<Claims>): ReactNode {
  const { children, onRedirectCallback = restoreReturnTo, skipRedirectCallback = false, client: given, ...options } = props
  // State, not a memo: React may drop a memo and a second client would read the session again.
  const [{ client, owned }] = useState(() =>
    given ? { client: given as AuthClient, owned: false } : { client: createAuthClient(options as AuthClientOptions), owned: true },
  )
  const value = useMemo(() => ({ client, actions: authActions(client) }), [client])

  // The latest callback, read when the login completes, so that an inline arrow function (a new
  // one on each render) neither restarts the effect below nor gets called twice.
  const onRedirect = useRef(onRedirectCallback)
  useEffect(() => {
    onRedirect.current = onRedirectCallback
  })

  useEffect(() => {
    let mounted = true
    void handleRedirectCallbackOnce(client, { skip: skipRedirectCallback }).then((result) => {
      // StrictMode mounts, unmounts and mounts again: only the last mount reports the result.
      if (mounted && result) onRedirect.current(result.appState)
    })
    return () => {
      mounted = false
      // Only a client made here; the remount of StrictMode uses it again (see `dispose()`).
      if (owned) client.dispose()
    }
    // skipRedirectCallback is read once, like the client: the page has one callback to decide on.
  }, [client, owned])

  return createElement(AuthContext.Provider, { value }, children)
}

/**
 * What {@link useAuth} returns: the core's state (`status`, `user`, `error`), two shorthands for
 * its status, and the actions. `Claims` types the app's own claims of `user`.
 *
 * @example
 * ```tsx
 * const { isLoading, error, user }: UseAuthResult = useAuth()
 * ```
 */
export interface UseAuthResult<Claims extends object = {}> extends AuthState<Claims>, AuthActions<Claims> {
  /**
   * `status === 'authenticated'` for a session read from IndexedDB: false while only the start-up
   * hint says so (`unconfirmed`). Gate what the session protects on this; draw the signed-in
   * layout (a skeleton) on `status === 'authenticated'`, which the hint answers at once.
   */
  isAuthenticated: boolean
  /**
   * Until the stored session has answered: `status === 'loading'` (no hint, or a redirect callback
   * still completing), or an `unconfirmed` hint of a session.
   */
  isLoading: boolean
}

/**
 * The auth state of the nearest {@link AuthProvider}, re-rendering on each change, with the
 * client's actions, and the client itself (`client`) for the features that take it:
 * `createFetch(client)` from `pixie-auth/fetch`, `loginWithPopup(client)` from `pixie-auth/popup`,
 * `fetchUser(client)` from `pixie-auth/userinfo`. `Claims` types the app's own claims of `user`,
 * as given to `createAuthClient<Claims>()`; nothing checks them.
 *
 * @example
 * ```tsx
 * function Profile() {
 *   const { isAuthenticated, user, loginWithRedirect, logout } = useAuth()
 *   if (!isAuthenticated) return <button onClick={() => loginWithRedirect()}>Log in</button>
 *   return <button onClick={() => logout()}>Log out {user?.name}</button>
 * }
 *
 * function Admin() {
 *   const { user } = useAuth<{ roles?: string[] }>()
 *   return user?.roles?.includes('admin') ? <AdminPanel /> : null
 * }
 *
 * function Orders() {
 *   const { client } = useAuth()
 *   const authFetch = useMemo(() => createFetch(client, { allowedOrigins: ['https://api.example.com'] }), [client])
 *   // ...
 * }
 * ```
 */
export function useAuth<Claims extends object = {}>(): UseAuthResult<Claims> {
  const { client, actions } = useAuthContext('useAuth()')
  const state = useAuthState(client)
  // The context holds any provider's client: the claims are the caller's word, as for the client.
  return useMemo<UseAuthResult>(
    () => ({
      ...state,
      isAuthenticated: state.status === 'authenticated' && !state.unconfirmed,
      isLoading: state.status === 'loading' || !!state.unconfirmed,
      ...actions,
    }),
    [state, actions],
  ) as UseAuthResult<Claims>
}

/**
 * Props of {@link RequireAuth}.
 *
 * @example
 * ```tsx
 * <RequireAuth
 *   fallback={<Spinner />}
 *   errorFallback={(error, retry) => <p>Login failed ({error.code}). <button onClick={retry}>Try again</button></p>}
 * >
 *   <Orders />
 * </RequireAuth>
 * ```
 */
export interface RequireAuthProps {
  /** Rendered once the user is signed in, with a session read from IndexedDB. */
  children?: ReactNode
  /**
   * Rendered meanwhile: while the session loads (also while only the start-up hint says signed in),
   * and while the browser leaves for the login page. Without `errorFallback`, also when the last
   * login failed (read `useAuth().error` to say why). Default: nothing.
   */
  fallback?: ReactNode
  /**
   * Rendered when the last login failed and no new login starts by itself (see `loginFailure()` in
   * the core): the user refused consent (`oauth_error` with `error: 'access_denied'`), the server
   * is misconfigured or was unreachable. `retry` starts a new login that comes back to the current
   * path, search and hash.
   */
  errorFallback?: (error: AuthError, retry: () => void) => ReactNode
}

/**
 * Renders its children only for a signed-in user, whose session was read from IndexedDB (the
 * start-up hint alone shows `fallback`). Entered without a session, it starts a login that comes
 * back to the current path, search and hash (see `ensureAuthenticated()` in the core); so it does
 * when the server ends the session meanwhile (`login_required`), but not after a logout, which
 * leaves the page by itself. A login that failed renders `errorFallback`. A login that cannot
 * start (e.g. the server is unreachable) is thrown to the nearest error boundary.
 *
 * @example
 * ```tsx
 * <Route path="/orders" element={
 *   <RequireAuth fallback={<p>Loading…</p>} errorFallback={(error, retry) => <LoginFailed error={error} onRetry={retry} />}>
 *     <Orders />
 *   </RequireAuth>
 * } />
 * ```
 */
export function RequireAuth({ children, fallback = null, errorFallback }: RequireAuthProps): ReactNode {
  const { client } = useAuthContext('<RequireAuth>')
  const state = useAuthState(client)
  const { status, error } = state
  const signedIn = status === 'authenticated' && !state.unconfirmed
  const [failure, setFailure] = useState<{ error: unknown }>()
  const hadSession = useRef(false)

  useEffect(() => {
    if (signedIn) hadSession.current = true
    if (status !== 'unauthenticated') return
    // A logout clears the state before it navigates to the server: logging in now would race it.
    // A session the server ended (`login_required`) is worth a new login, like arriving without one.
    if (hadSession.current && error?.code !== 'login_required') return
    // Under StrictMode this runs twice; the core shares one login between the two calls.
    ensureAuthenticated(client).catch((cause: unknown) => setFailure({ error: cause }))
  }, [status, signedIn, error, client])

  if (failure) throw failure.error
  if (signedIn) return children
  const failed = errorFallback && loginFailure(state)
  if (!failed) return fallback
  const retry = () =>
    void client
      .loginWithRedirect({ appState: { returnTo: location.pathname + location.search + location.hash } })
      .catch((cause: unknown) => setFailure({ error: cause }))
  return errorFallback(failed, retry)
}
