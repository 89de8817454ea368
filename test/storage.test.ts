import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { browserStore, memoryStore } from '../src/storage.js'

afterEach(() => vi.unstubAllGlobals())

describe('browserStore', () => {
  it('persists across store instances, as across reloads', async () => {
    await browserStore().set('k', { a: 1 })
    expect(await browserStore().get('k')).toEqual({ a: 1 })
  })

  it('falls back to memory, once, when IndexedDB is missing', async () => {
    vi.stubGlobal('indexedDB', undefined)
    const onFallback = vi.fn()
    const store = browserStore(onFallback)
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
    const store = browserStore(onFallback)
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
