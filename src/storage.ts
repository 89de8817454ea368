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

/** A store that lives as long as the page: the fallback where IndexedDB is missing or broken. */
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
 * IndexedDB through idb-keyval's dedicated store, falling back to memory for the rest of the page
 * the first time IndexedDB is missing or throws (private modes, lockdown modes, quota, a wiped
 * database). The session then lasts only as long as the page, which beats not working at all.
 */
export function browserStore(onFallback: (cause: unknown) => void = warnMemoryFallback): KeyValueStore {
  let active: KeyValueStore | undefined
  const fallBack = (cause: unknown) => {
    active = memoryStore()
    onFallback(cause)
    return active
  }
  const current = () => {
    if (active) return active
    if (typeof indexedDB === 'undefined') return fallBack(new Error('indexedDB is not available'))
    return (active = indexedDbStore(createStore(databaseName, objectStoreName)))
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
        // Another operation may have switched to memory already; never switch twice.
        return operation(active === store ? fallBack(cause) : current(), ...args)
      }
    }
  return {
    get: run((store, key: string) => store.get(key)),
    set: run((store, key: string, value: unknown) => store.set(key, value)),
    delete: run((store, key: string) => store.delete(key)),
    take: run((store, key: string) => store.take(key)),
    entries: run((store) => store.entries()),
  }
}

function warnMemoryFallback(cause: unknown): void {
  console.warn('pixie-auth: IndexedDB is unavailable, so the session is kept in memory for this page only.', cause)
}
