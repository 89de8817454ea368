import { afterEach, describe, expect, it, vi } from 'vitest'
import { withRefreshLock } from '../src/core/refresh-lock.js'

type Callback = () => Promise<unknown>

/**
 * A LockManager with one lock that is always free, except that it turns down the first
 * `refusals` requests without running their callbacks, as Chromium does for a lock granted while
 * the tab's scripts were paused.
 */
function lockManager(refusals: number) {
  const requests: string[] = []
  const locks = {
    request(name: string, options: { signal?: AbortSignal }, callback: Callback) {
      requests.push(name)
      if (options.signal?.aborted) return Promise.reject(options.signal.reason)
      if (requests.length <= refusals) return Promise.reject(new Error('The provided callback is no longer runnable.'))
      return callback()
    },
  }
  vi.stubGlobal('navigator', { locks })
  return requests
}

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('withRefreshLock', () => {
  it('asks again for a lock the browser turned down without running the task, and runs the task once', async () => {
    const requests = lockManager(2)
    const task = vi.fn(async () => 'refreshed')
    await expect(withRefreshLock('pixie-auth:test', task, { waitMs: 1_000 })).resolves.toBe('refreshed')
    expect(task).toHaveBeenCalledTimes(1)
    expect(requests).toEqual(['pixie-auth:test', 'pixie-auth:test', 'pixie-auth:test'])
  })

  it('gives up after three requests turned down with a transient timeout, the task never run', async () => {
    const requests = lockManager(5)
    const task = vi.fn(async () => 'refreshed')
    await expect(withRefreshLock('pixie-auth:test', task)).rejects.toMatchObject({ name: 'AuthError', code: 'timeout' })
    expect(task).not.toHaveBeenCalled()
    expect(requests).toHaveLength(3)
  })

  it('lets a failure of the API itself (a DOMException) surface at once, as it is', async () => {
    const requests: string[] = []
    const denied = new DOMException('The request was denied.', 'SecurityError')
    vi.stubGlobal('navigator', {
      locks: {
        request(name: string) {
          requests.push(name)
          return Promise.reject(denied)
        },
      },
    })
    const task = vi.fn(async () => 'refreshed')
    await expect(withRefreshLock('pixie-auth:test', task, { waitMs: 1_000 })).rejects.toBe(denied)
    expect(task).not.toHaveBeenCalled()
    expect(requests).toHaveLength(1)
  })

  it('does not ask again once the caller ended the wait, nor when it had ended it before', async () => {
    const requests = lockManager(0)
    const task = vi.fn(async () => 'refreshed')
    const before = new AbortController()
    before.abort()
    await expect(withRefreshLock('pixie-auth:test', task, { signal: before.signal })).rejects.toMatchObject({ name: 'AbortError' })
    expect(requests).toHaveLength(1)

    // A wait the caller ends while the lock is held elsewhere: the request rejects with its reason.
    const pending: string[] = []
    vi.stubGlobal('navigator', {
      locks: {
        request(name: string, options: { signal: AbortSignal }) {
          pending.push(name)
          return new Promise((_resolve, reject) => options.signal.addEventListener('abort', () => reject(options.signal.reason)))
        },
      },
    })
    const during = new AbortController()
    const waited = withRefreshLock('pixie-auth:test', task, { waitMs: 1_000, signal: during.signal })
    during.abort()
    await expect(waited).rejects.toMatchObject({ name: 'AbortError' })
    expect(pending).toHaveLength(1)
    expect(task).not.toHaveBeenCalled()
  })

  it('never runs a task that raised an error itself twice', async () => {
    const requests = lockManager(0)
    const task = vi.fn(async () => {
      throw new Error('refresh failed')
    })
    await expect(withRefreshLock('pixie-auth:test', task, { waitMs: 1_000 })).rejects.toThrow('refresh failed')
    expect(task).toHaveBeenCalledTimes(1)
    expect(requests).toHaveLength(1)
  })
})

describe('withRefreshLock, with the wall clock set back during the wait', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('asks again for no longer than what is left of the bound', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] })
    // The first request is turned down once the clock has been set back; the next one waits for
    // a lock another tab holds for good.
    let turnDown: (() => void) | undefined
    const locks = {
      request(_name: string, options: { signal: AbortSignal }) {
        return new Promise((_resolve, reject) => {
          options.signal.addEventListener('abort', () => reject(options.signal.reason))
          turnDown ??= () => reject(new Error('The provided callback is no longer runnable.'))
        })
      },
    }
    vi.stubGlobal('navigator', { locks })
    const settled = withRefreshLock('pixie-auth:test', async () => 'refreshed', { waitMs: 1_000 }).catch((error: unknown) => error)
    await vi.advanceTimersByTimeAsync(500)
    vi.setSystemTime(Date.now() - 3_600_000)
    turnDown!()
    await vi.advanceTimersByTimeAsync(600)
    await expect(Promise.race([settled, 'still waiting'])).resolves.toMatchObject({ code: 'timeout' })
  })
})
