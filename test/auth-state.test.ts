import { describe, expect, it, vi } from 'vitest'
import { createStateStore } from '../src/core/auth-state.js'

describe('createStateStore', () => {
  it('notifies each change once and keeps the snapshot stable when nothing changed', () => {
    const store = createStateStore({ status: 'loading' })
    const listener = vi.fn()
    const unsubscribe = store.subscribe(listener)
    const user = { iss: 'i', sub: 's', aud: 'a', iat: 1, exp: 2 }
    store.set({ status: 'authenticated', user })
    const snapshot = store.get()
    store.set({ status: 'authenticated', user })
    expect(store.get()).toBe(snapshot)
    expect(listener).toHaveBeenCalledTimes(1)
    unsubscribe()
    store.set({ status: 'unauthenticated' })
    expect(listener).toHaveBeenCalledTimes(1)
    expect(store.get().status).toBe('unauthenticated')
  })
})
