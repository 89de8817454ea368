import { AuthError } from './errors.js'

/** How long a lock may be waited for, and what else may end the wait. */
export interface LockWait {
  /** Give up waiting after this long, with a `timeout` AuthError. Absent: wait as long as it takes. */
  waitMs?: number
  /** Ends the wait early (the caller got what it waited for another way); rejects with its reason. */
  signal?: AbortSignal
}

/**
 * Runs `task` while holding the exclusive Web Lock `name`, shared by every tab and worker of the
 * origin. The browser releases the lock when its holder's tab closes, so a tab that dies mid-refresh
 * cannot block the others.
 *
 * A tab can also be frozen while it holds the lock (Android Chrome freezes background tabs, a long
 * task or a debugger stops one), so the wait is bounded by `waitMs`: the wait is abandoned with a
 * `timeout` AuthError, and the task never runs. The lock is never stolen: the frozen holder may
 * already have presented the refresh token, and presenting it again would trigger the server's
 * reuse detection (RFC 9700 §4.14.2). The wait only ends; once the lock is granted, `task` runs to
 * its end whatever happens to the signals.
 *
 * A request the browser turns down without running its callback (Chromium does, for a lock granted
 * while the tab's scripts are paused) is made again, up to three times in all, within the same
 * bound: the task never ran, so nothing was sent. A third refusal ends the wait with a `timeout`
 * AuthError, as the bound does: the session is kept, and a later call asks again.
 *
 * Where Web Locks are missing (very old browsers, non-secure contexts) the task runs at once: the
 * caller still allows only one refresh per tab.
 *
 * @see https://w3c.github.io/web-locks/#api-lock-manager-request
 */
export async function withRefreshLock<T>(name: string, task: () => Promise<T>, { waitMs, signal }: LockWait = {}): Promise<T> {
  const locks = globalThis.navigator?.locks
  if (!locks) return task()
  // The timers' clock, not the wall clock, which may be set back while a tab waits.
  const deadline = waitMs === undefined ? undefined : performance.now() + waitMs
  for (let attempt = 1; ; attempt++) {
    // One controller for both ends of the wait, and flags that tell its ends apart.
    const wait = new AbortController()
    let timedOut = false
    let granted = false
    const timer = deadline === undefined ? undefined : setTimeout(() => {
      timedOut = true
      wait.abort()
    }, deadline - performance.now())
    const stop = () => wait.abort(signal?.reason)
    if (signal?.aborted) stop()
    signal?.addEventListener('abort', stop, { once: true })
    try {
      // lib.dom types the callback's result as the lock's, not its awaited value.
      return (await locks.request(name, { signal: wait.signal }, () => {
        granted = true
        clearTimeout(timer)
        return task()
      })) as T
    } catch (error) {
      if (!granted && timedOut) {
        throw new AuthError('timeout', `Another tab held the lock for over ${waitMs} ms (frozen?)`, { cause: error })
      }
      // Granted while this tab's scripts were paused (seen with a debugger), Chromium cannot run the
      // callback: it lets the lock go and rejects with a plain Error, "The provided callback is no
      // longer runnable". The task never ran, so nothing was sent: ask again, for what is left of
      // the wait. The API's own failures (SecurityError...) are DOMExceptions, and surface as they are.
      if (granted || signal?.aborted || error instanceof DOMException) throw error
      if (attempt < 3) continue
      throw new AuthError('timeout', 'The browser would not run the task under the lock (tab paused?)', { cause: error })
    } finally {
      clearTimeout(timer)
      signal?.removeEventListener('abort', stop)
    }
  }
}

/**
 * Runs `task` under the lock `name` only if no tab holds it or waits for it right now
 * (`ifAvailable`), and resolves `undefined` otherwise: for work that the holder makes unnecessary.
 */
export async function ifLockAvailable<T>(name: string, task: () => Promise<T>): Promise<T | undefined> {
  const locks = globalThis.navigator?.locks
  if (!locks) return task()
  return (await locks.request(name, { ifAvailable: true }, (lock) => (lock ? task() : undefined))) as T | undefined
}
