import { failedResponse, isTransient, toAuthError } from './errors.js'

/** How a task is retried: how many times at most, and which failures are worth another try. */
export interface RetryPolicy {
  retries: number
  isRetryable(error: unknown): boolean
  /** Delay before retry `attempt` (0-based) after `error`, in ms. */
  delayMs(attempt: number, error: unknown): number
}

/** Exponential backoff from `baseMs`, with jitter so tabs and clients that failed together spread out. */
export const exponentialBackoff = (baseMs: number) => (attempt: number) =>
  baseMs * 2 ** attempt * (0.5 + Math.random() / 2)

/**
 * The wait a response asks for with `Retry-After` (RFC 9110 §10.2.3: seconds, or an HTTP date), in
 * ms; `undefined` when there is none or it cannot be read. A cross-origin server must list
 * `Retry-After` in `Access-Control-Expose-Headers`, or the browser hides it.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110.html#section-10.2.3
 */
export function retryAfterMs(response: Response | undefined, now = Date.now()): number | undefined {
  const value = response?.headers.get('retry-after')?.trim()
  if (!value) return undefined
  if (/^\d+$/.test(value)) return Number(value) * 1000
  // An HTTP date starts with the day's name; Date.parse alone would take '-1' for a year.
  const date = /^[A-Za-z]/.test(value) ? Date.parse(value) : NaN
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** The first retry's backoff before jitter; each next one doubles it. */
const backoffBaseMs = 500

/**
 * The longest the waits between `retries` tries of {@link transientRetryPolicy} can add up to:
 * each is the backoff (jitter only shortens it) or a `Retry-After` of at most `maxWaitMs`.
 */
export const maxRetryWaitMs = (retries: number, maxWaitMs: number) =>
  Array.from({ length: retries }, (_, attempt) => Math.max(backoffBaseMs * 2 ** attempt, maxWaitMs)).reduce((a, b) => a + b, 0)

/**
 * Retries transient failures (network errors, timeouts, 5xx, 408, 429) `retries` times with
 * exponential backoff from 500 ms, or after the server's `Retry-After` when it asks for longer. A
 * server that asks for more than `maxWaitMs` is not retried at once: the failure is the caller's to
 * report, and the next call tries again.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6585.html#section-4
 */
export function transientRetryPolicy(retries: number, maxWaitMs: number): RetryPolicy {
  const backoff = exponentialBackoff(backoffBaseMs)
  // Read from oauth4webapi's error as thrown: an AuthError keeps no response (no secrets in errors).
  const serverWait = (error: unknown) => retryAfterMs(failedResponse(error)) ?? 0
  return {
    retries,
    isRetryable: (error) => isTransient(toAuthError(error)) && serverWait(error) <= maxWaitMs,
    delayMs: (attempt, error) => Math.max(backoff(attempt), serverWait(error)),
  }
}

/** Runs `task`, retrying failures the policy calls retryable, at most `policy.retries` times. */
export async function withRetries<T>(task: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await task()
    } catch (error) {
      if (attempt >= policy.retries || !policy.isRetryable(error)) throw error
      await new Promise((resolve) => setTimeout(resolve, policy.delayMs(attempt, error)))
    }
  }
}
