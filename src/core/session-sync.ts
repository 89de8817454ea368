import { createStateStore } from './auth-state.js'
import { AuthError, toAuthError } from './errors.js'
import type { ResolvedOptions } from './options.js'
import { watchPageLifecycle } from './page-lifecycle.js'
import { maxClockSkewSeconds } from './server-clock.js'
import { isUsable, isVersion, nextSessionRecord, readSession, sessionKey, writeSession, type Session, type SessionRecord } from './session.js'
import type { BrowserStore, KeyValueStore } from './storage.js'
import { openTabChannel, type TabChannel, type TabMessage } from './tab-sync.js'

/** The error of a session the server ended: the user must log in again. */
export const sessionEnded = (cause?: AuthError) => new AuthError('login_required', 'The session has ended; log in again', { cause })

/**
 * This tab's view of the session, kept in step with the store and the other tabs: the session,
 * the version it was written with (see `SessionRecord`), and the state subscribers see. Writes
 * (`share`, `endSession`, `deleteEverywhere`) must run under the client's cross-tab lock.
 */
export function createSessionSync(
  config: ResolvedOptions,
  store: BrowserStore,
  lockName: string,
  isCallbackPage: () => boolean,
  /** The resource (RFC 8707) of the session's own access token: the first of `resourceIndicators()`. */
  ownResource?: string,
) {
  const state = createStateStore({ status: 'loading' })
  /**
   * The start-up hint in localStorage, `pixie-auth:signed-in:<namespace>`: '1' once a session was
   * stored, '0' once one is being deleted, nothing else (no token, no claims, no user id). Reading it
   * answers the state at once, where the page's first IndexedDB connection takes milliseconds; the
   * stored record still decides. Storage that throws (none during server-side rendering, Safari's
   * private mode, storage disabled) gives no hint.
   */
  const hint = (value?: '0' | '1') => {
    try {
      if (!value) return localStorage.getItem(`pixie-auth:signed-in:${config.namespace}`)
      localStorage.setItem(`pixie-auth:signed-in:${config.namespace}`, value)
    } catch {
      // No hint: the state waits for IndexedDB, as without one.
    }
  }
  let session: Session | undefined
  // The version of `session`, or of the deletion that ended it: the newest this tab has seen (-1: none yet).
  let version = -1
  let restoring: Promise<void> | undefined
  let tabs: TabChannel | undefined
  let stopWatchingPage: (() => void) | undefined
  // Told of each session another tab shares: refreshes waiting for the lock.
  const listeners = new Set<(next: Session) => void>()

  const adopt = (next: Session | undefined, error?: AuthError) => {
    // Unchanged claims keep the snapshot's user object, so subscribers see no change when only the
    // access token was refreshed. (A new ID token always brings new iat/exp; UserInfo new claims.)
    const sameUser = next !== undefined && session !== undefined && JSON.stringify(next.user) === JSON.stringify(session.user)
    session = next
    state.set({ status: next ? 'authenticated' : 'unauthenticated', user: sameUser ? state.get().user : next?.user, error })
  }

  /**
   * Takes a stored or announced record unless this tab already holds a newer one: reads and
   * messages from other tabs may arrive in any order, and a login that waited for the lock may carry
   * an older token than the refresh written before it.
   */
  const adoptRecord = (record: SessionRecord, error?: AuthError) => {
    if (record.version <= version) return
    version = record.version
    adopt(record.session, error)
  }

  /**
   * `candidate` as this client may use it, whether read from the store or shared by another tab
   * (maybe an old build, open across a deploy). With DPoP, a Bearer session is none, so no Bearer
   * token is handed out, nor refreshed with a proof the server may ignore (RFC 9449 §5). An own
   * access token asked for another resource than this client's first is expired, so it is refreshed
   * for that one before use, never sent to its origin (RFC 8707 §2, RFC 9700 §4.10). So is one
   * whose times no login wrote (received more than a day ahead of the clock, expiring never): a
   * script may have planted it, and the refresh replaces it.
   */
  const ownSession = (candidate: Session | undefined) => {
    if (!candidate || (config.dpop && candidate.tokenType !== 'dpop')) return undefined
    const plausible = candidate.receivedAt <= Date.now() + maxClockSkewSeconds * 1000 && Number.isFinite(candidate.expiresAt ?? 0)
    return candidate.resource === ownResource && plausible ? candidate : { ...candidate, receivedAt: 0, expiresAt: 0 }
  }

  /** The stored record, without a session this client must not use (see {@link ownSession}). */
  const readOwn = async (from: Pick<KeyValueStore, 'get'> = store): Promise<SessionRecord> => {
    const record = await readSession(from, config.namespace)
    return { ...record, session: ownSession(record.session) }
  }

  /**
   * Another tab announced a newer record: it is read from IndexedDB (where every tab reads, even
   * after this one fell back to memory) and taken if newer than what this tab holds. The message
   * itself is trusted with nothing (see `TabMessage`). A tab that cannot read IndexedDB signs out:
   * its session is older than a write it cannot see, and its refresh token may be spent already.
   */
  const onTabMessage = (message: unknown) => {
    const announced = (message as Partial<TabMessage> | null)?.version
    if (!isVersion(announced) || announced <= version) return
    readOwn({ get: store.getShared }).then((stored) => {
      adoptRecord(stored, stored.ended && sessionEnded())
      // Only a session taken as the newest answers a waiting refresh.
      const next = stored.session
      if (next && session === next) for (const listener of listeners) listener(next)
    }, () => adoptRecord({ version: announced }))
  }

  /** The stored record, with its session only if that can still give an access token. */
  const readUsable = async (): Promise<SessionRecord> => {
    const { version: stored, session: candidate } = await readOwn()
    return { version: stored, session: candidate && isUsable(candidate) ? candidate : undefined }
  }

  /**
   * After the back/forward cache: the page missed every message meanwhile, so the stored session
   * is the answer, even an older version or none (storage may have been wiped), unless a newer one
   * arrived while reading it.
   */
  const reread = async () => {
    const before = version
    const stored = await readUsable()
    if (version !== before) return
    version = Math.max(version, stored.version)
    adopt(stored.session)
  }

  const post = (message: TabMessage) => tabs?.post(message)

  return {
    state,
    current: () => session,
    adopt,
    adoptRecord,

    /** Reads the stored session once, and from then on listens to the other tabs and the page. */
    restore: () =>
      (restoring ??= (async () => {
        tabs = openTabChannel(lockName, onTabMessage)
        stopWatchingPage = watchPageLifecycle({
          onHide: () => {
            tabs?.close()
            tabs = undefined
          },
          onRestore: () => {
            tabs ??= openTabChannel(lockName, onTabMessage)
            reread().catch((cause: unknown) => adopt(session, toAuthError(cause)))
          },
        })
        // The hint answers until the store does, but not on the callback page (see below), and never
        // over a record this tab already took. A '1' is unconfirmed: anyone on the origin can write it.
        const hinted = state.get().status === 'loading' && !isCallbackPage() ? hint() : undefined
        if (hinted === '1') state.set({ status: 'authenticated', unconfirmed: true })
        if (hinted === '0') state.set({ status: 'unauthenticated' })
        const stored = await readUsable()
        // A '1' for a session that expired, or that IndexedDB lost, is told as an ended session (so a
        // route guard logs in again rather than taking it for a logout), and corrected for the next load.
        if (!stored.session) hint('0')
        // Another tab may have told us about a newer session while we were reading (adoptRecord keeps
        // it). And on the callback page "no session" is not the answer yet: handleRedirectCallback()
        // gives it, so a route guard does not start a second login meanwhile.
        if (stored.session || !isCallbackPage()) adoptRecord(stored, hinted === '1' && !stored.session ? sessionEnded() : undefined)
      })()),

    /**
     * Under the lock: the newest record, which is the stored one: it wins over what this tab holds,
     * and an empty store (version 0, wiped) means logged out. Unless it is older than what this tab
     * holds: then the store missed writes (it is this tab's memory after a fallback, or IndexedDB
     * while a tab that fell back wrote to its memory), and this tab's session, told by the tab that
     * wrote it, is the newer one.
     */
    async readNewest(): Promise<SessionRecord> {
      const stored = await readOwn()
      if (stored.version > 0 && stored.version < version) return { version, session }
      // Taken whole, never its version alone: a tab holding a version without its session would
      // drop the message that announces it, which may come after this read.
      adoptRecord(stored)
      return stored
    },

    /** Under the lock: stores `next` with its version and tells the other tabs. */
    async share(next: Session) {
      const record = await writeSession(store, config.namespace, { session: next }, version)
      // Only once stored, and in IndexedDB (not this page's memory): a reload that reads '1' finds it.
      if (store.persists()) hint('1')
      adoptRecord(record)
      post({ version: record.version })
      return next
    },

    /** Under the lock: the server ended the session; every tab is told, and the state says why. */
    async endSession(cause: AuthError) {
      // Before the deletion starts, so no reload reads '1' for a session being deleted.
      hint('0')
      const { version: deleted } = await writeSession(store, config.namespace, { ended: 'invalid_grant' }, version)
      const error = sessionEnded(cause)
      adoptRecord({ version: deleted }, error)
      post({ version: deleted })
      return error
    },

    /**
     * Under the lock: deletes the session from memory and IndexedDB both (or a reload would sign the
     * user in again). Resolves with the sessions that ended, the stored one first, and this tab's
     * when it differs (a script may have stored a decoy under it), and, when IndexedDB refused, the failure.
     */
    async deleteEverywhere() {
      hint('0') // before the deletion, as in endSession
      const { session: stored } = await readSession(store, config.namespace)
      const record = await nextSessionRecord(store, config.namespace, {}, version)
      const stuck = await store.setEverywhere(sessionKey(config.namespace), record).then(
        () => undefined,
        (cause: unknown) => ({ cause }),
      )
      const ended = stored?.refreshToken === session?.refreshToken ? [stored ?? session] : [stored, session]
      adoptRecord({ version: record.version })
      post({ version: record.version })
      return { ended: ended.filter((each): each is Session => each !== undefined), stuck }
    },

    /** Calls `listener` with each session another tab shares that this tab takes as the newest. */
    onShared(listener: (next: Session) => void) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },

    close() {
      stopWatchingPage?.()
      tabs?.close()
      tabs = undefined
    },
  }
}

/** See {@link createSessionSync}. */
export type SessionSync = ReturnType<typeof createSessionSync>
