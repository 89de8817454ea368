// Shapes shared by the harness page (e2e/app/harness.ts) and the Playwright tests (e2e/*.ts).
import type { AuthError, createAuthClient } from 'pixie-auth'

export type AuthClient = ReturnType<typeof createAuthClient>
export type AuthClientConfig = Parameters<typeof createAuthClient>[0]

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

export interface PixieHarness {
  auth: AuthClient
  createAuthClient: typeof createAuthClient
  AuthError: typeof AuthError
  /** The effective client config: defaults merged with the storage overrides. */
  config: AuthClientConfig
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
  }
}
