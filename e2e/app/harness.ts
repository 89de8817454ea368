// Test harness for the Playwright e2e tests. Loaded by every page of the harness app.
// It creates the client and exposes it; it never handles the redirect callback by itself:
// tests call window.pixie.auth.handleRedirectCallback() explicitly.
import { AuthError, createAuthClient } from 'pixie-auth'
import type { AuthClientConfig, SerializedError, TryResult } from './types'

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

const config = {
  ...DEFAULT_CONFIG,
  ...readOverride(localStorage),
  ...readOverride(sessionStorage),
} as AuthClientConfig

const auth = createAuthClient(config)

window.pixieStates = []
auth.subscribe((state: unknown) => {
  window.pixieStates.push(JSON.parse(JSON.stringify(state ?? null)))
})

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

window.pixie = { auth, createAuthClient, AuthError, config }
window.pixieReady = true

const marker = document.getElementById('harness-status')
if (marker) marker.textContent = 'ready'
