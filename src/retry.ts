/** How a task is retried: how many times at most, and which failures are worth another try. */
export interface RetryPolicy {
  retries: number
  isRetryable(error: unknown): boolean
  /** Delay before retry `attempt` (0-based), in ms. */
  delayMs(attempt: number): number
}

/** Exponential backoff from `baseMs`, with jitter so tabs and clients that failed together spread out. */
export const exponentialBackoff = (baseMs: number) => (attempt: number) =>
  baseMs * 2 ** attempt * (0.5 + Math.random() / 2)

/** Runs `task`, retrying failures the policy calls retryable, at most `policy.retries` times. */
export async function withRetries<T>(task: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await task()
    } catch (error) {
      if (attempt >= policy.retries || !policy.isRetryable(error)) throw error
      await new Promise((resolve) => setTimeout(resolve, policy.delayMs(attempt)))
    }
  }
}
