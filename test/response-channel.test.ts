import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { AuthError } from '../src/core/errors.js'
import { messageUrl } from '../src/features/popup-callback.js'
import { assertTimeoutSeconds, isResponseTo, loginElsewhere, waitForResponse, type ResponseWatch } from '../src/features/response-channel.js'

const REDIRECT = 'https://app.example/popup-callback.html'
const response = (query: string) => `${REDIRECT}?${query}`

describe('messageUrl', () => {
  it('reads the URL of a response message and nothing else', () => {
    expect(messageUrl({ type: 'pixie-auth:authorization-response', url: 'https://x/' })).toBe('https://x/')
    for (const data of [null, 'https://x/', { url: 'https://x/' }, { type: 'pixie-auth:authorization-response', url: 42 }]) {
      expect(messageUrl(data)).toBeUndefined()
    }
  })
})

describe('isResponseTo', () => {
  it('accepts a code or an error for this state, at the redirect URI origin only', () => {
    expect(isResponseTo(response('code=c&state=s1'), REDIRECT, 's1')).toBe(true)
    expect(isResponseTo(response('error=access_denied&state=s1'), REDIRECT, 's1')).toBe(true)
    expect(isResponseTo(response('code=c&state=s2'), REDIRECT, 's1')).toBe(false)
    expect(isResponseTo(response('state=s1'), REDIRECT, 's1')).toBe(false)
    expect(isResponseTo('https://evil.example/popup-callback.html?code=c&state=s1', REDIRECT, 's1')).toBe(false)
    expect(isResponseTo('not a url', REDIRECT, 's1')).toBe(false)
  })
})

/** A watch the test drives by hand. */
function manualWatch() {
  const stop = vi.fn()
  let control: Parameters<ResponseWatch>[0] | undefined
  const watch: ResponseWatch = (c) => {
    control = c
    return stop
  }
  return { watch, stop, control: () => control! }
}

describe('waitForResponse', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  const wait = (watch: ResponseWatch, timeoutMs = 1_000) =>
    waitForResponse({ state: 's1', redirectUri: REDIRECT, timeoutMs, onTimeout: () => new AuthError('timeout', 'too slow') }, watch)

  it('resolves with the first response to this login, ignoring others, then stops watching', async () => {
    const { watch, stop, control } = manualWatch()
    const result = wait(watch)
    control().respond(response('code=c&state=other'))
    control().respond('https://evil.example/?code=c&state=s1')
    expect(stop).not.toHaveBeenCalled()
    control().respond(response('code=c&state=s1'))
    control().respond(response('code=second&state=s1'))
    await expect(result).resolves.toBe(response('code=c&state=s1'))
    expect(stop).toHaveBeenCalledTimes(1)
  })

  it('takes the response from the BroadcastChannel named by the state', async () => {
    vi.useRealTimers()
    const { watch, stop } = manualWatch()
    const result = wait(watch)
    const sender = new BroadcastChannel('pixie-auth:response:s1')
    const acknowledged = new Promise((resolve) => (sender.onmessage = (event) => resolve(event.data)))
    sender.postMessage({ type: 'pixie-auth:authorization-response', url: response('code=c&state=s1') })
    await expect(result).resolves.toBe(response('code=c&state=s1'))
    // The callback page hears that it may close.
    await expect(acknowledged).resolves.toEqual({ type: 'pixie-auth:response-received' })
    sender.close()
    expect(stop).toHaveBeenCalledTimes(1)
  })

  it('rejects with onTimeout() after timeoutMs and stops watching', async () => {
    const { watch, stop } = manualWatch()
    const result = wait(watch, 5_000)
    const outcome = expect(result).rejects.toMatchObject({ code: 'timeout' })
    await vi.advanceTimersByTimeAsync(4_999)
    expect(stop).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    await outcome
    expect(stop).toHaveBeenCalledTimes(1)
  })

  it("rejects with the watch's failure, and a response after it changes nothing", async () => {
    const { watch, stop, control } = manualWatch()
    const result = wait(watch)
    control().fail(new AuthError('popup_closed', 'closed'))
    control().respond(response('code=c&state=s1'))
    await expect(result).rejects.toMatchObject({ code: 'popup_closed' })
    expect(stop).toHaveBeenCalledTimes(1)
  })

  it('still cleans up a watch that fails before handing back its cleanup', async () => {
    const stop = vi.fn()
    const result = wait((control) => {
      control.fail(new AuthError('popup_closed', 'closed'))
      return stop
    })
    await expect(result).rejects.toMatchObject({ code: 'popup_closed' })
    expect(stop).toHaveBeenCalledTimes(1)
  })
})

describe('loginElsewhere', () => {
  const steps = () => ({
    start: vi.fn(async (navigate: (url: URL) => void) => {
      navigate(new URL('https://as.example/authorize?state=s1'))
      return 's1'
    }),
    complete: vi.fn(async (url: string) => ({ completed: url })),
    abandon: vi.fn(async () => {}),
  })
  const waitOptions = { redirectUri: REDIRECT, timeoutMs: 1_000, onTimeout: () => new AuthError('timeout', 'too slow') }

  it('navigates, waits, then redeems the response', async () => {
    const s = steps()
    const navigate = vi.fn()
    const result = await loginElsewhere(s, waitOptions, navigate, ({ respond }) => {
      queueMicrotask(() => respond(response('code=c&state=s1')))
      return () => {}
    })
    expect(navigate).toHaveBeenCalledWith(new URL('https://as.example/authorize?state=s1'))
    expect(result).toEqual({ completed: response('code=c&state=s1') })
    expect(s.abandon).not.toHaveBeenCalled()
  })

  it('abandons the transaction of a login that got no response, and redeems nothing', async () => {
    const s = steps()
    const failure = loginElsewhere(s, waitOptions, () => {}, ({ fail }) => {
      queueMicrotask(() => fail(new AuthError('popup_closed', 'closed')))
      return () => {}
    })
    await expect(failure).rejects.toMatchObject({ code: 'popup_closed' })
    expect(s.abandon).toHaveBeenCalledWith('s1')
    expect(s.complete).not.toHaveBeenCalled()
  })
})

describe('assertTimeoutSeconds', () => {
  it('takes a wait a timer keeps, and refuses one it would fire at once (0, negative, NaN, Infinity, past 2^31 - 1 ms) with config_error', () => {
    for (const seconds of [0.5, 300, 2_147_483]) expect(() => assertTimeoutSeconds('timeoutSeconds', seconds)).not.toThrow()
    for (const seconds of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 2_147_484]) {
      expect(() => assertTimeoutSeconds('timeoutSeconds', seconds)).toThrow(expect.objectContaining({ code: 'config_error' }))
    }
  })
})
