import { describe, expect, it } from 'vitest'
import { resolveOptions } from '../src/core/options.js'

const base = { issuer: 'https://login.example.com', clientId: 'spa', redirectUri: 'https://app.example.com/callback' }

describe('lockWaitSeconds', () => {
  it('defaults to the longest a live holder can take: every try sent twice, the waits between tries and 5 s', () => {
    // 3 tries × 2 requests × 10 s, two Retry-After waits of up to 10 s, 5 s.
    expect(resolveOptions(base).lockWaitMs).toBe(85_000)
    expect(resolveOptions({ ...base, timeoutSeconds: 5, refreshRetries: 0 }).lockWaitMs).toBe(15_000)
    // With a 1 s timeout the backoff (0.5, 1, 2 s) is longer than Retry-After is allowed to be.
    expect(resolveOptions({ ...base, timeoutSeconds: 1, refreshRetries: 3 }).lockWaitMs).toBe(8 * 1_000 + (1_000 + 1_000 + 2_000) + 5_000)
  })

  it('takes a positive number of seconds, and refuses anything else', () => {
    expect(resolveOptions({ ...base, lockWaitSeconds: 2.5 }).lockWaitMs).toBe(2_500)
    for (const lockWaitSeconds of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '5' as unknown as number]) {
      expect(() => resolveOptions({ ...base, lockWaitSeconds })).toThrow(expect.objectContaining({ code: 'config_error' }))
    }
  })
})
