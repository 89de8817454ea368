import { describe, expect, it, vi } from 'vitest'
import { exponentialBackoff, retryAfterMs, withRetries } from '../src/core/retry.js'

const policy = (retries: number) => ({ retries, isRetryable: (e: unknown) => e === 'transient', delayMs: () => 1 })

describe('withRetries', () => {
  it('retries transient failures up to the limit, then succeeds', async () => {
    const task = vi.fn().mockRejectedValueOnce('transient').mockRejectedValueOnce('transient').mockResolvedValue('ok')
    expect(await withRetries(task, policy(2))).toBe('ok')
    expect(task).toHaveBeenCalledTimes(3)
  })

  it('gives up after the limit with the last error', async () => {
    const task = vi.fn().mockRejectedValue('transient')
    await expect(withRetries(task, policy(2))).rejects.toBe('transient')
    expect(task).toHaveBeenCalledTimes(3)
  })

  it('never retries a failure that is not transient', async () => {
    const task = vi.fn().mockRejectedValue('invalid_grant')
    await expect(withRetries(task, policy(5))).rejects.toBe('invalid_grant')
    expect(task).toHaveBeenCalledTimes(1)
  })

  it('backs off exponentially, with jitter within [50%, 100%] of the step', () => {
    const delay = exponentialBackoff(100)
    for (let attempt = 0; attempt < 4; attempt++) {
      const ms = delay(attempt)
      expect(ms).toBeGreaterThanOrEqual(50 * 2 ** attempt)
      expect(ms).toBeLessThanOrEqual(100 * 2 ** attempt)
    }
  })
})

describe('retryAfterMs', () => {
  const withHeader = (value: string) => new Response(null, { status: 429, headers: { 'retry-after': value } })

  it('reads delay-seconds and HTTP dates (RFC 9110 §10.2.3)', () => {
    expect(retryAfterMs(withHeader('3'))).toBe(3000)
    const now = Date.parse('Sun, 29 Nov 2026 20:00:00 GMT')
    expect(retryAfterMs(withHeader('Sun, 29 Nov 2026 20:00:05 GMT'), now)).toBe(5000)
    expect(retryAfterMs(withHeader('Sun, 29 Nov 2026 19:00:00 GMT'), now)).toBe(0)
  })

  it('is undefined without a readable header', () => {
    expect(retryAfterMs(undefined)).toBeUndefined()
    expect(retryAfterMs(new Response(null, { status: 429 }))).toBeUndefined()
    expect(retryAfterMs(withHeader('soon'))).toBeUndefined()
    expect(retryAfterMs(withHeader('-1'))).toBeUndefined()
  })
})
