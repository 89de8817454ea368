import type * as oauth from 'oauth4webapi'
import { AuthError, isTransient, redacted, toAuthError } from './errors.js'
import type { ResolvedOptions } from './options.js'
import type { DPoPFeature } from './plugins.js'
import { reconnectJitterMs, watchConnectivity } from './reconnect.js'
import { isRefreshTokenDead, refreshSession } from './refresh-request.js'
import { ifLockAvailable } from './refresh-lock.js'
import { transientRetryPolicy, withRetries } from './retry.js'
import { isFresh, sessionSecrets, type Session } from './session.js'
import { sharedRun } from './shared-run.js'
import type { SessionSync } from './session-sync.js'
import { targetKey, tokenFor, type TokenTarget } from './targets.js'

/** Runs a task under the client's cross-tab lock, the wait bounded by `lockWaitSeconds`. */
export type Lock = <T>(task: () => Promise<T>, signal?: AbortSignal) => Promise<T>

/**
 * Refreshes the session's tokens: one refresh at a time per target in this tab, one across tabs
 * under the lock, a waiting tab answered by the session another tab shares. A transient failure
 * keeps the session and is tried again once when the browser is back online or visible.
 */
export function createRefreshCoordination(
  config: ResolvedOptions,
  sync: SessionSync,
  lock: Lock,
  lockName: string,
  own: TokenTarget,
  dpop: DPoPFeature | undefined,
  /** The server metadata: configured, or discovered once per page (see `metadataSource()`). */
  metadata: () => Promise<oauth.AuthorizationServer>,
) {
  const transientPolicy = transientRetryPolicy(config.refreshRetries, config.timeoutSeconds * 1000)
  // Offline, another try can only fail too: fail fast instead, and retry when the browser is back.
  const refreshPolicy = { ...transientPolicy, isRetryable: (error: unknown) => transientPolicy.isRetryable(error) && !offline() }
  // One refresh at a time per target; '' is the session's own access token.
  const refreshing = new Map<string, Promise<Session>>()
  // The session whose refresh failed transiently: while it is still the current one, a retry is due.
  let failedSession: Session | undefined
  // Watched from the client's first use, whichever call that is: an `offline` event missed then
  // would make a refresh retry with backoff instead of failing fast.
  const connectivity = watchConnectivity(retryFailedRefresh)
  const offline = () => connectivity.offline()

  /** A refresh failed but the session stands: the state says why, and it is tried again later. */
  const refreshFailed = (error: AuthError) => {
    const session = sync.current()
    if (!isTransient(error) || !session) return error
    failedSession = session
    // No answer at all (no status) while the browser says it is offline.
    const noNetwork = error.code === 'network_error' && error.status === undefined && offline()
    sync.state.set({ ...sync.state.get(), error, offline: noNetwork || undefined })
    return error
  }

  /** Whether `candidate` has a token for `target` that is fresh and not the one found stale. */
  const answers = (candidate: Session, staleAccessToken: string | undefined, target?: TokenTarget) => {
    const current = tokenFor(candidate, target)
    return current !== undefined && current.accessToken !== staleAccessToken && isFresh(current, config.refreshLeewaySeconds)
  }

  /** Runs inside the lock, so the stored session is the newest any tab has. */
  async function refreshInsideLock(staleAccessToken: string | undefined, target?: TokenTarget, policy = refreshPolicy): Promise<Session> {
    const { session: stored } = await sync.readNewest()
    if (!stored) {
      sync.adopt(undefined)
      throw new AuthError('login_required', 'Not logged in')
    }
    if (answers(stored, staleAccessToken, target)) {
      sync.adopt(stored)
      return stored
    }
    // Outside the try below: a failed discovery says nothing about the refresh token.
    const server = await metadata()
    try {
      const send = dpop?.sender(stored.clockSkew) ?? ((request) => request({}))
      return await sync.share(await withRetries(() => refreshSession(config, server, stored, send, own, target), policy))
    } catch (cause) {
      // The server may quote the refresh token it was sent in its error.
      const error = redacted(toAuthError(cause), sessionSecrets(stored))
      throw isRefreshTokenDead(error, target) ? await sync.endSession(error) : refreshFailed(error)
    }
  }

  /**
   * Refreshes under the lock. While waiting for it, a session another tab shares that answers the
   * need ends the wait at once: the lock's holder has done the refresh this tab was waiting to do.
   */
  const refreshWhenFree = (staleAccessToken: string | undefined, target?: TokenTarget) =>
    new Promise<Session>((resolve, reject) => {
      const answered = new AbortController()
      const stopListening = sync.onShared((next) => {
        if (!answers(next, staleAccessToken, target)) return
        answered.abort()
        resolve(next)
      })
      const inLock = () => {
        stopListening()
        return refreshInsideLock(staleAccessToken, target)
      }
      lock(inLock, answered.signal).then(resolve, reject).finally(stopListening)
    })

  /**
   * Back online, or visible again, after a failed refresh: one more try, by one tab. The lock is
   * taken only if free (a tab holding it is refreshing, and will share its session), and the stored
   * session is read again inside it, so a tab that finds another's fresh session just adopts it.
   * One request at most, without retries: the next event or call tries again.
   */
  function retryFailedRefresh() {
    if (failedSession === undefined || failedSession !== sync.current() || refreshing.has('')) return
    failedSession = undefined
    const once = { ...refreshPolicy, retries: 0 }
    // One tab retries for all the tabs that heard the same event, even when the retry fails: the
    // retry lock stays held for longer than the events' jitter, so the others find it taken.
    ifLockAvailable(`${lockName}:retry`, async () => {
      await ifLockAvailable(lockName, () => refreshInsideLock(undefined, undefined, once)).catch(() => {})
      await new Promise((resolve) => setTimeout(resolve, 2 * reconnectJitterMs))
    }).catch(() => {})
  }

  return {
    /**
     * A fresh token for `target` (default: the session's own): shared by every concurrent call for
     * the same target. With `staleAccessToken`, one that is not it (the API refused it).
     */
    refresh(staleAccessToken: string | undefined, target?: TokenTarget) {
      return sharedRun(refreshing, target ? targetKey(target) : '', () =>
        refreshWhenFree(staleAccessToken, target).catch((cause: unknown) => {
          throw refreshFailed(toAuthError(cause))
        }),
      )
    },

    /** Stops listening for good: a call still under way after it must not start listening again. */
    stop() {
      connectivity.stop()
    },
  }
}
