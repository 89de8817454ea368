import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { browserStore, memoryStore, tabStore } from '../src/core/storage.js'

afterEach(() => vi.unstubAllGlobals())

describe('browserStore', () => {
  it('persists across store instances, as across reloads', async () => {
    await browserStore().set('k', { a: 1 })
    expect(await browserStore().get('k')).toEqual({ a: 1 })
  })

  it('falls back to memory, once, when IndexedDB is missing', async () => {
    vi.stubGlobal('indexedDB', undefined)
    const onFallback = vi.fn()
    const store = browserStore(memoryStore, onFallback)
    await store.set('k', 'v')
    expect(await store.get('k')).toBe('v')
    expect(await store.take('k')).toBe('v')
    expect(await store.get('k')).toBeUndefined()
    expect(onFallback).toHaveBeenCalledTimes(1)
  })

  it('falls back to memory when IndexedDB throws, and keeps working', async () => {
    vi.stubGlobal('indexedDB', {
      open() {
        throw new DOMException('blocked', 'SecurityError')
      },
    })
    const onFallback = vi.fn()
    const store = browserStore(memoryStore, onFallback)
    await Promise.all([store.set('a', 1), store.set('b', 2)])
    expect(await store.entries()).toEqual([
      ['a', 1],
      ['b', 2],
    ])
    expect(onFallback).toHaveBeenCalledTimes(1)
  })

  it('reports a value that cannot be stored instead of hiding it', async () => {
    await expect(browserStore().set('k', () => 1)).rejects.toMatchObject({ name: 'DataCloneError' })
    await expect(memoryStore().set('k', () => 1)).rejects.toMatchObject({ name: 'DataCloneError' })
  })
})

/** The Web Storage API, enough of it for tabStore. */
function fakeSessionStorage() {
  const items = new Map<string, string>()
  return {
    get length() {
      return items.size
    },
    key: (index: number) => [...items.keys()][index] ?? null,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, String(value)),
    removeItem: (key: string) => void items.delete(key),
  }
}

describe('tabStore', () => {
  it('keeps JSON values under its own prefix, and take removes them', async () => {
    const storage = fakeSessionStorage()
    vi.stubGlobal('sessionStorage', storage)
    storage.setItem('someone-else', 'x')
    const store = tabStore()
    await store.set('tx:1', { state: '1', appState: { returnTo: '/a' } })
    expect(storage.getItem('pixie-auth:tx:1')).toBe('{"state":"1","appState":{"returnTo":"/a"}}')
    expect(await store.entries()).toEqual([['tx:1', { state: '1', appState: { returnTo: '/a' } }]])
    expect(await store.take('tx:1')).toEqual({ state: '1', appState: { returnTo: '/a' } })
    expect(await store.take('tx:1')).toBeUndefined()
    expect(storage.getItem('someone-else')).toBe('x')
  })

  it('serves as the fallback a redirect login can survive', async () => {
    vi.stubGlobal('indexedDB', undefined)
    vi.stubGlobal('sessionStorage', fakeSessionStorage())
    await browserStore(tabStore, () => {}).set('tx:2', { state: '2' })
    expect(await browserStore(tabStore, () => {}).get('tx:2')).toEqual({ state: '2' })
  })
})
