// Shapes shared by the harness page (e2e/app/harness.ts) and the Playwright tests (e2e/*.ts).
import type { AuthError, createAuthClient, RedirectCallbackResult, User } from 'pixie-auth'
import type * as dpopEntry from 'pixie-auth/dpop'
import type * as fetchEntry from 'pixie-auth/fetch'
import type * as isolationEntry from 'pixie-auth/isolation'
import type * as parEntry from 'pixie-auth/par'
import type * as popupEntry from 'pixie-auth/popup'
import type * as resourceEntry from 'pixie-auth/resource'
import type * as silentLoginEntry from 'pixie-auth/silent-login'
import type * as userinfoEntry from 'pixie-auth/userinfo'

export type AuthClient = ReturnType<typeof createAuthClient>
/** The options `createAuthClient()` takes (plug-ins included). */
export type AuthClientOptions = Parameters<typeof createAuthClient>[0]

/**
 * The client config a test writes for the harness, as JSON: `createAuthClient()`'s plain options,
 * and a JSON flag for each plug-in and for `createFetch()`, which the harness turns into the real
 * thing (see `clientOptions` in harness.ts).
 */
export type AuthClientConfig = Omit<AuthClientOptions, 'dpop' | 'par' | 'resource' | 'silentLogin' | 'fetch' | 'isolation'> & {
  /** `dpop: dpop()` */
  dpop?: boolean
  /** `par: par()` */
  par?: boolean
  /** `resource: resourceIndicators(...resource)` */
  resource?: string | string[]
  /** With `silentRedirectUri` and `silentLoginTimeoutSeconds`: `silentLogin: silentLogin({ redirectUri, timeoutSeconds })` */
  silentLogin?: 'iframe'
  silentRedirectUri?: string
  silentLoginTimeoutSeconds?: number
  /** `createFetch(auth, { allowedOrigins })`, the harness's `pixie.fetch`; with isolation, `tokenIsolation({ allowedOrigins })` */
  allowedOrigins?: string[]
  /** `isolation: tokenIsolation(options)` (`true`: no options) */
  isolation?: boolean | Omit<isolationEntry.IsolationOptions, 'allowedOrigins'>
}

/** An error as it crosses the page.evaluate boundary (class identity is lost there). */
export interface SerializedError {
  name: string
  message: string
  /** true when the thrown value was `instanceof AuthError` (checked inside the page). */
  isAuthError: boolean
  code?: string
  error?: string
  errorDescription?: string
  /** The AuthError's HTTP `status`, when it has one. */
  status?: number
  /** The error's `cause`, serialized the same way, when it is an error. */
  cause?: SerializedError
}

export type TryResult<T> = { ok: true; value: T } | { ok: false; error: SerializedError }

/** Every export of every entry of the SDK, for tests that build clients of their own. */
export type PixieSdk = { createAuthClient: typeof createAuthClient; AuthError: typeof AuthError } & typeof dpopEntry &
  typeof parEntry &
  typeof resourceEntry &
  typeof isolationEntry &
  typeof silentLoginEntry &
  typeof popupEntry &
  typeof fetchEntry &
  typeof userinfoEntry

export interface PixieHarness {
  auth: AuthClient
  createAuthClient: typeof createAuthClient
  AuthError: typeof AuthError
  /** The effective client options: defaults merged with the storage overrides, flags turned into plug-ins. */
  config: AuthClientOptions
  /** `createFetch(auth, { allowedOrigins })`, with the config's `allowedOrigins`. */
  fetch: fetchEntry.AuthorizedFetch
  /** `loginWithPopup(auth, options)` */
  loginWithPopup: (options?: popupEntry.PopupLoginOptions) => Promise<RedirectCallbackResult>
  /** `fetchUser(auth)` */
  fetchUser: () => Promise<User | undefined>
  sdk: PixieSdk
}

declare global {
  interface Window {
    pixie: PixieHarness
    pixieReady?: boolean
    /** Runs fn inside the page and returns its value or a serialized error (never throws). */
    pixieTry: <T>(fn: () => T | Promise<T>) => Promise<TryResult<T>>
    /** Fire-and-forget for calls that navigate away (loginWithRedirect, logout); a rejection lands in pixieStartError. */
    pixieStart: (fn: () => unknown) => void
    pixieStartError?: SerializedError
    /** Every state the client published through subscribe(), in order. */
    pixieStates: unknown[]
    /** When each of pixieStates was published, in ms from navigation start (performance.now()). */
    pixieStateTimes: number[]
    /** How many states subscribe() published before it returned: the state known at once, from the start-up hint. */
    pixieStatesAtSubscribe: number
  }
}

/**
 * localStorage key (shared by the origin's tabs): '1' makes every harness page load without the Web
 * Locks API, as in a browser that lacks it (see without-web-locks.ts).
 */
export const WITHOUT_WEB_LOCKS_KEY = 'pixie-e2e-without-web-locks'
