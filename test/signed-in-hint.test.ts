// @vitest-environment happy-dom
// The start-up hint in localStorage: it answers the state before IndexedDB does, never for a session
// whose deletion has begun, never on the callback page, and storage that throws only means no hint.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createAuthClient, ensureAuthenticated, type AuthState } from '../src/index.js'
import type { ResolvedOptions } from '../src/core/options.js'
import type { Session, SessionRecord } from '../src/core/session.js'
import { createSessionSync } from '../src/core/session-sync.js'
import { memoryStore, type BrowserStore } from '../src/core/storage.js'
import { ada, deferred } from './fake-client.js'
import { nextTask } from './open-channels.js'

const namespace = 'https://issuer.example/#pixie-demo'
const hintKey = `pixie-auth:signed-in:${namespace}`
const config = { namespace } as ResolvedOptions
const session: Session = { accessToken: 'at', tokenType: 'bearer', receivedAt: Date.now(), refreshToken: 'rt', user: ada }

const peekHint = () => {
  try {
    return localStorage.getItem(hintKey)
  } catch {
    return 'unreadable'
  }
}

/**
 * One origin's IndexedDB as the tabs share it: each read waits until `release()` (the first
 * connection is slow), and each write notes the hint as it was when the write began.
 */
function sharedStore(persists = true) {
  const backing = memoryStore()
  const writes: { session: boolean; hintBefore: string | null }[] = []
  let gate = deferred<void>()
  const openTab = (): BrowserStore => {
    const set = async (key: string, value: unknown) => {
      writes.push({ session: (value as SessionRecord).session !== undefined, hintBefore: peekHint() })
      await backing.set(key, value)
    }
    return {
      ...backing,
      get: async (key) => {
        await gate.promise
        return backing.get(key)
      },
      getShared: backing.get,
      set,
      setEverywhere: set,
      persists: () => persists,
    }
  }
  return {
    openTab,
    writes,
    release: () => gate.resolve(),
    slowReadsAgain: () => (gate = deferred<void>()),
  }
}

const syncs: { close(): void }[] = []
const tab = (store: BrowserStore, isCallbackPage = false) => {
  const sync = createSessionSync(config, store, `pixie-auth:${namespace}`, () => isCallbackPage)
  syncs.push(sync)
  return sync
}

beforeEach(() => localStorage.clear())
afterEach(() => {
  for (const sync of syncs.splice(0)) sync.close()
})

/**
 * One tab shares `stored`; a reload of another then answers 'authenticated', unconfirmed, from the
 * hint while its IndexedDB read is pending; resolves with that reloaded tab and the states it went
 * through once the read is done.
 */
async function reloadAfterSharing(stored: Session) {
  const store = sharedStore()
  store.release()
  await tab(store.openTab()).share(stored)
  expect(localStorage.getItem(hintKey)).toBe('1')

  store.slowReadsAgain()
  const reloaded = tab(store.openTab())
  const states: AuthState[] = []
  reloaded.state.subscribe((state) => states.push(state))
  const restoring = reloaded.restore()
  // Anyone on the origin can write the hint: it draws the layout, it confirms nothing.
  expect(reloaded.state.get()).toEqual({ status: 'authenticated', unconfirmed: true })
  store.release()
  await restoring
  return { reloaded, states }
}

describe('the signed-in hint', () => {
  it('answers authenticated, unconfirmed, before the IndexedDB read resolves, which confirms it and fills the user', async () => {
    const { reloaded } = await reloadAfterSharing(session)
    expect(reloaded.state.get()).toEqual({ status: 'authenticated', user: ada })
    expect(reloaded.state.get()).not.toHaveProperty('unconfirmed')
  })

  it('is confirmed by the read also for a session without an ID token (no user to fill)', async () => {
    const { reloaded, states } = await reloadAfterSharing({ ...session, user: undefined })
    expect(states).toEqual([{ status: 'authenticated', unconfirmed: true }, { status: 'authenticated', user: undefined, error: undefined }])
    expect(reloaded.state.get().unconfirmed).toBeUndefined()
  })

  it("takes a '1' for a session that expired meanwhile as an ended session, and says '0' next time", async () => {
    const hourAgo = Date.now() - 3_600_000
    const { reloaded } = await reloadAfterSharing({ ...session, refreshToken: undefined, receivedAt: hourAgo - 60_000, expiresAt: hourAgo })
    // A route guard that saw 'authenticated' logs in again on login_required (it would not after a logout).
    expect(reloaded.state.get()).toMatchObject({ status: 'unauthenticated', error: { code: 'login_required' } })
    expect(localStorage.getItem(hintKey)).toBe('0')
  })

  it('after a logout in another tab, a reload says unauthenticated at once', async () => {
    const store = sharedStore()
    store.release()
    const tabA = tab(store.openTab())
    await tabA.share(session)
    tabA.close()
    const tabB = tab(store.openTab())
    await tabB.restore()
    await tabB.deleteEverywhere()

    store.slowReadsAgain()
    const reloadedA = tab(store.openTab())
    const states: AuthState[] = []
    reloadedA.state.subscribe((state) => states.push(state))
    const restoring = reloadedA.restore()
    expect(reloadedA.state.get().status).toBe('unauthenticated')
    store.release()
    await restoring
    expect(states.map((state) => state.status)).toEqual(['unauthenticated'])
  })

  it("is '0' before a logout or an ended session starts deleting, and '1' only after a session is stored", async () => {
    const store = sharedStore()
    store.release()
    const sync = tab(store.openTab())
    await sync.restore()
    await sync.share(session)
    await sync.deleteEverywhere()
    await sync.share(session)
    await sync.endSession(new Error('invalid_grant') as never)
    expect(store.writes).toEqual([
      // restore() found no session: '0'.
      { session: true, hintBefore: '0' },
      { session: false, hintBefore: '0' },
      { session: true, hintBefore: '0' },
      { session: false, hintBefore: '0' },
    ])
    expect(localStorage.getItem(hintKey)).toBe('0')
  })

  it("is not '1' for a session only this page's memory holds (IndexedDB failed)", async () => {
    const store = sharedStore(false)
    store.release()
    const sync = tab(store.openTab())
    await sync.share(session)
    expect(sync.state.get().status).toBe('authenticated')
    expect(localStorage.getItem(hintKey)).toBeNull()
  })

  it('gives no answer on the callback page: that waits for handleRedirectCallback', async () => {
    localStorage.setItem(hintKey, '0')
    const store = sharedStore()
    const sync = tab(store.openTab(), true)
    const restoring = sync.restore()
    expect(sync.state.get().status).toBe('loading')
    store.release()
    await restoring
    expect(sync.state.get().status).toBe('loading')
  })

  it('never overrides a record this tab already took', async () => {
    const store = sharedStore()
    store.release()
    const sync = tab(store.openTab())
    // The callback completed before anything read the stored session; then a stale hint.
    await sync.share(session)
    localStorage.setItem(hintKey, '0')
    store.slowReadsAgain()
    const restoring = sync.restore()
    expect(sync.state.get()).toEqual({ status: 'authenticated', user: ada })
    store.release()
    await restoring
  })

  it('is ignored when storage throws (disabled storage, private modes)', async () => {
    const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'localStorage')!
    for (const broken of [
      { get: () => { throw new DOMException('denied', 'SecurityError') } },
      { value: { getItem: () => { throw new DOMException('full', 'QuotaExceededError') }, setItem: () => { throw new DOMException('full', 'QuotaExceededError') } } },
    ]) {
      Object.defineProperty(globalThis, 'localStorage', { ...broken, configurable: true })
      try {
        const store = sharedStore()
        store.release()
        const sync = tab(store.openTab())
        await sync.restore()
        expect(sync.state.get().status).toBe('unauthenticated')
        await sync.share(session)
        expect(sync.state.get()).toEqual({ status: 'authenticated', user: ada })
        await sync.deleteEverywhere()
        expect(sync.state.get().status).toBe('unauthenticated')
      } finally {
        Object.defineProperty(globalThis, 'localStorage', descriptor)
      }
    }
  })

  it("reaches subscribe's listener first, then the store corrects it", async () => {
    // happy-dom has no IndexedDB: the client's store is an empty memory one, so '1' is stale here.
    localStorage.setItem(hintKey, '1')
    const auth = createAuthClient({ issuer: 'https://issuer.example/', clientId: 'pixie-demo', redirectUri: 'http://localhost:5173/callback' })
    const states: string[] = []
    auth.subscribe((state) => states.push(state.status))
    expect(auth.getState()).toEqual({ status: 'authenticated', unconfirmed: true })
    expect(await auth.isAuthenticated()).toBe(false)
    expect(states).toEqual(['authenticated', 'unauthenticated'])
    auth.dispose()
    await nextTask()
  })

  it("a forged '1' with no stored session: ensureAuthenticated() waits for IndexedDB and logs in", async () => {
    localStorage.setItem(hintKey, '1')
    const auth = createAuthClient({ issuer: 'https://issuer.example/', clientId: 'pixie-demo', redirectUri: 'http://localhost:5173/callback' })
    const login = vi.spyOn(auth, 'loginWithRedirect').mockResolvedValue()
    auth.subscribe(() => {})
    expect(auth.getState()).toEqual({ status: 'authenticated', unconfirmed: true })
    expect(await ensureAuthenticated(auth, '/orders')).toBe(false)
    expect(login).toHaveBeenCalledWith({ appState: { returnTo: '/orders' } })
    auth.dispose()
    await nextTask()
  })
})
