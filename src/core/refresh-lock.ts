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
 * Where Web Locks are missing (very old browsers, non-secure contexts) the task runs at once: the
 * caller still allows only one refresh per tab.
 *
 * @see https://w3c.github.io/web-locks/#api-lock-manager-request
 */
export async function withRefreshLock<T>(name: string, task: () => Promise<T>, { waitMs, signal }: LockWait = {}): Promise<T> {
  const locks = globalThis.navigator?.locks
  if (!locks) return task()
  // lib.dom types the callback's result as the lock's, not its awaited value.
  if (waitMs === undefined && signal === undefined) return locks.request(name, task) as Promise<T>
  // One controller for both ends of the wait, and a flag that tells the bound's end from the caller's.
  const wait = new AbortController()
  let timedOut = false
  const timer = waitMs === undefined ? undefined : setTimeout(() => {
    timedOut = true
    wait.abort()
  }, waitMs)
  const stop = () => wait.abort(signal?.reason)
  signal?.addEventListener('abort', stop, { once: true })
  let granted = false
  try {
    return (await locks.request(name, { signal: wait.signal }, () => {
      granted = true
      clearTimeout(timer)
      return task()
    })) as T
  } catch (error) {
    if (!granted && timedOut) {
      throw new AuthError('timeout', `Another tab held the lock for over ${waitMs} ms (frozen?)`, {
        cause: error,
      })
    }
    throw error
  } finally {
    clearTimeout(timer)
    signal?.removeEventListener('abort', stop)
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
