import { createStore, del, entries, get, promisifyRequest, set, type UseStore } from 'idb-keyval'

/** The persistence the SDK needs: a small key-value store shared by the tabs of one origin. */
export interface KeyValueStore {
  get<T>(key: string): Promise<T | undefined>
  set(key: string, value: unknown): Promise<void>
  delete(key: string): Promise<void>
  /** Reads and deletes in one transaction: of two concurrent takers, only one gets the value. */
  take<T>(key: string): Promise<T | undefined>
  entries(): Promise<[string, unknown][]>
}

/** IndexedDB database and object store names; other code on the origin must not reuse them. */
export const databaseName = 'pixie-auth'
export const objectStoreName = 'kv'

function indexedDbStore(useStore: UseStore): KeyValueStore {
  return {
    get: (key) => get(key, useStore),
    set: (key, value) => set(key, value, useStore),
    delete: (key) => del(key, useStore),
    take: (key) =>
      useStore('readwrite', (store) => {
        const value = promisifyRequest(store.get(key))
        store.delete(key)
        return value
      }),
    entries: () => entries(useStore),
  }
}

/** A store that lives as long as the page. */
export function memoryStore(): KeyValueStore {
  const map = new Map<string, unknown>()
  return {
    get: async (key) => map.get(key) as never,
    set: async (key, value) => void map.set(key, structuredClone(value)),
    delete: async (key) => void map.delete(key),
    take: async (key) => {
      const value = map.get(key)
      map.delete(key)
      return value as never
    },
    entries: async () => [...map.entries()],
  }
}

/**
 * A store in this tab's sessionStorage, which survives the redirect to the server and back but not
 * the tab. Values go through JSON. Used only for login transactions when IndexedDB is unavailable:
 * without it no redirect login could complete in such a browser.
 */
export function tabStore(prefix = `${databaseName}:`): KeyValueStore {
  const read = (key: string) => {
    const text = sessionStorage.getItem(prefix + key)
    return text === null ? undefined : JSON.parse(text)
  }
  return {
    get: async (key) => read(key),
    set: async (key, value) => sessionStorage.setItem(prefix + key, JSON.stringify(value)),
    delete: async (key) => sessionStorage.removeItem(prefix + key),
    take: async (key) => {
      const value = read(key)
      sessionStorage.removeItem(prefix + key)
      return value
    },
    entries: async () =>
      Array.from({ length: sessionStorage.length }, (_, index) => sessionStorage.key(index)!)
        .filter((name) => name.startsWith(prefix))
        .map((name) => [name.slice(prefix.length), read(name.slice(prefix.length))]),
  }
}

let warned = false
function warnOnceAboutFallback(cause: unknown) {
  if (warned) return
  warned = true
  console.warn(
    'pixie-auth: IndexedDB is unavailable; the session lasts as long as this page',
    cause,
  )
}

/** The page's store, with the write that must reach IndexedDB even after a fallback. */
export interface BrowserStore extends KeyValueStore {
  /**
   * Writes `value` to every store it may be in: the store in use (memory, after a fallback) and
   * IndexedDB, so that a reload reads it too. When IndexedDB fails, or this page already switched
   * away from it, IndexedDB is tried again on a connection of its own, twice; if it still fails,
   * this rejects with its error after the store in use was written.
   */
  setEverywhere(key: string, value: unknown): Promise<void>
  /** Whether this page's writes still reach IndexedDB: it has not fallen back to `fallback()`. */
  persists(): boolean
  /** Reads what the other tabs read: IndexedDB, on a connection of its own once this page fell back. */
  getShared<T>(key: string): Promise<T | undefined>
}

/**
 * IndexedDB through idb-keyval's dedicated store, switching to `fallback()` for the rest of the
 * page when IndexedDB is missing, or throws on a connection and again on a fresh one (private and
 * lockdown modes, quota). Nothing throws at start-up because of storage.
 */
export function browserStore(
  fallback: () => KeyValueStore = memoryStore,
  onFallback: (cause: unknown) => void = warnOnceAboutFallback,
): BrowserStore {
  let active: KeyValueStore | undefined
  let fellBack = false
  const fallBack = (cause: unknown) => {
    active = fallback()
    fellBack = true
    onFallback(cause)
    return active
  }
  const openIndexedDb = () => indexedDbStore(createStore(databaseName, objectStoreName))
  const current = () => {
    if (active) return active
    if (typeof indexedDB === 'undefined') return fallBack(new Error('indexedDB is not available'))
    return (active = openIndexedDb())
  }
  const run =
    <A extends unknown[], R>(operation: (store: KeyValueStore, ...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const store = current()
      try {
        return await operation(store, ...args)
      } catch (cause) {
        // A value that cannot be stored is the caller's mistake, not a broken database.
        if (cause instanceof DOMException && cause.name === 'DataCloneError') throw cause
        // Another operation may have switched already; never switch twice.
        if (active !== store) return operation(current(), ...args)
        // The browser may have closed or broken that one connection (a crash, cleared site data):
        // an empty memory store would sign the page out, so a fresh connection is tried first.
        const fresh = (active = openIndexedDb())
        try {
          return await operation(fresh, ...args)
        } catch {
          return operation(active === fresh ? fallBack(cause) : current(), ...args)
        }
      }
    }
  const set = run((store, key: string, value: unknown) => store.set(key, value))
  const get = run((store, key: string) => store.get(key)) as KeyValueStore['get']
  return {
    get,
    getShared: (key) => (fellBack && typeof indexedDB !== 'undefined' ? openIndexedDb().get(key) : get(key)),
    set,
    delete: run((store, key: string) => store.delete(key)),
    take: run((store, key: string) => store.take(key)),
    entries: run((store) => store.entries()),
    persists: () => !fellBack,
    async setEverywhere(key, value) {
      await set(key, value)
      // Without a fallback the write above reached IndexedDB; without IndexedDB there is nothing more to reach.
      if (!fellBack || typeof indexedDB === 'undefined') return
      try {
        await openIndexedDb().set(key, value)
      } catch {
        // The browser may have closed or broken that one connection (a crash, a version change): one more.
        await openIndexedDb().set(key, value)
      }
    },
  }
}
