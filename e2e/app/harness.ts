// Test harness for the Playwright e2e tests. Loaded by every page of the harness app.
// It creates the client and exposes it; it never handles the redirect callback by itself:
// tests call window.pixie.auth.handleRedirectCallback() explicitly.
import './without-web-locks'
import { AuthError, createAuthClient } from 'pixie-auth'
import * as dpopEntry from 'pixie-auth/dpop'
import * as fetchEntry from 'pixie-auth/fetch'
import * as isolationEntry from 'pixie-auth/isolation'
import * as parEntry from 'pixie-auth/par'
import * as popupEntry from 'pixie-auth/popup'
import * as resourceEntry from 'pixie-auth/resource'
import * as silentLoginEntry from 'pixie-auth/silent-login'
import * as userinfoEntry from 'pixie-auth/userinfo'
import type { AuthClientConfig, AuthClientOptions, PixieSdk, SerializedError, TryResult } from './types'

const CONFIG_KEY = 'pixie-e2e-config'

const DEFAULT_CONFIG = {
  issuer: 'http://127.0.0.1:4010',
  clientId: 'pixie-e2e',
  redirectUri: 'http://localhost:5173/callback.html',
  postLogoutRedirectUri: 'http://localhost:5173/logged-out.html',
} satisfies Partial<AuthClientConfig>

/** JSON overrides a test wrote before navigating (sessionStorage is per tab, localStorage is shared by tabs). */
function readOverride(storage: Storage): Record<string, unknown> {
  const raw = storage.getItem(CONFIG_KEY)
  if (!raw) return {}
  try {
    const parsed: unknown = JSON.parse(raw)
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>
  } catch {
    // fall through
  }
  throw new Error(`harness: ${CONFIG_KEY} is not a JSON object: ${raw}`)
}

function serializeError(e: unknown): SerializedError {
  if (e && typeof e === 'object') {
    const err = e as {
      name?: unknown; message?: unknown; code?: unknown; error?: unknown; errorDescription?: unknown; status?: unknown; cause?: unknown
    }
    return {
      name: String(err.name ?? 'Error'),
      message: String(err.message ?? ''),
      isAuthError: e instanceof AuthError,
      code: typeof err.code === 'string' ? err.code : undefined,
      error: typeof err.error === 'string' ? err.error : undefined,
      errorDescription: typeof err.errorDescription === 'string' ? err.errorDescription : undefined,
      status: typeof err.status === 'number' ? err.status : undefined,
      cause: err.cause instanceof Error ? serializeError(err.cause) : undefined,
    }
  }
  return { name: typeof e, message: String(e), isAuthError: false }
}

/**
 * The tests' JSON config as `createAuthClient()` options: each plug-in flag becomes its plug-in, so a
 * spec keeps writing `{ dpop: true }`. Anything else is passed on as it is, invalid values included
 * (the client rejects those).
 */
function clientOptions(json: AuthClientConfig): AuthClientOptions {
  const { dpop, par, resource, silentLogin, silentRedirectUri, silentLoginTimeoutSeconds, allowedOrigins, isolation, ...plain } = json
  const options: AuthClientOptions = plain
  if (dpop) options.dpop = dpopEntry.dpop()
  if (par) options.par = parEntry.par()
  if (resource !== undefined) options.resource = resourceEntry.resourceIndicators(...[resource].flat())
  // With isolation, the origins the worker may send the token to are the plug-in's.
  if (isolation) options.isolation = isolationEntry.tokenIsolation({ ...(isolation === true ? {} : isolation), ...(isProxied(json) && { allowedOrigins }) })
  if (silentLogin === 'iframe') {
    options.silentLogin = silentLoginEntry.silentLogin({ redirectUri: silentRedirectUri, timeoutSeconds: silentLoginTimeoutSeconds })
  }
  return options
}

const isProxied = ({ isolation, dpop }: AuthClientConfig) =>
  isolation !== undefined && isolation !== false && (dpop === true || (isolation !== true && isolation.accessTokenInWorker === true))

const json = {
  ...DEFAULT_CONFIG,
  ...readOverride(localStorage),
  ...readOverride(sessionStorage),
} as AuthClientConfig
const config = clientOptions(json)

const auth = createAuthClient(config)

window.pixieStates = []
window.pixieStateTimes = []
auth.subscribe((state: unknown) => {
  window.pixieStates.push(JSON.parse(JSON.stringify(state ?? null)))
  window.pixieStateTimes.push(performance.now())
})
window.pixieStatesAtSubscribe = window.pixieStates.length

window.pixieTry = async <T>(fn: () => T | Promise<T>): Promise<TryResult<T>> => {
  try {
    return { ok: true, value: await fn() }
  } catch (e) {
    return { ok: false, error: serializeError(e) }
  }
}

window.pixieStart = (fn: () => unknown) => {
  window.pixieStartError = undefined
  Promise.resolve()
    .then(fn)
    .catch((e: unknown) => {
      window.pixieStartError = serializeError(e)
    })
}

const sdk: PixieSdk = {
  createAuthClient,
  AuthError,
  ...dpopEntry,
  ...parEntry,
  ...resourceEntry,
  ...silentLoginEntry,
  ...popupEntry,
  ...fetchEntry,
  ...userinfoEntry,
  ...isolationEntry,
}

window.pixie = {
  auth,
  createAuthClient,
  AuthError,
  config,
  // Through the worker (which has the origins) with isolation's accessTokenInWorker or DPoP.
  fetch: fetchEntry.createFetch(auth, isProxied(json) ? {} : { allowedOrigins: json.allowedOrigins }),
  loginWithPopup: (options) => popupEntry.loginWithPopup(auth, options),
  fetchUser: () => userinfoEntry.fetchUser(auth),
  sdk,
}
window.pixieReady = true

const marker = document.getElementById('harness-status')
if (marker) marker.textContent = 'ready'
