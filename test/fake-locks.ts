// A Web Locks LockManager for tests in Node, which has none: exclusive locks granted in request
// order, `ifAvailable`, `signal` and `query()`, for one agent (the page and the worker of a test
// share it, as they share the browser's).

type Callback = (lock: { name: string } | null) => unknown

export interface FakeLocks {
  request(name: string, optionsOrCallback: { ifAvailable?: boolean; signal?: AbortSignal } | Callback, callback?: Callback): Promise<unknown>
  query(): Promise<{ held: { name: string }[]; pending: { name: string }[] }>
}

export function fakeLocks(): FakeLocks {
  const held = new Set<string>()
  const queues = new Map<string, (() => void)[]>()

  const release = (name: string) => {
    held.delete(name)
    queues.get(name)?.shift()?.()
  }
  const acquire = (name: string, signal?: AbortSignal) =>
    new Promise<void>((granted, refused) => {
      if (!held.has(name)) return granted(held.add(name) && undefined)
      const grant = () => (signal?.aborted ? release(name) : granted(held.add(name) && undefined))
      queues.set(name, [...(queues.get(name) ?? []), grant])
      signal?.addEventListener('abort', () => {
        queues.set(name, (queues.get(name) ?? []).filter((each) => each !== grant))
        refused(signal.reason)
      })
    })

  return {
    async request(name, optionsOrCallback, maybeCallback) {
      const options = typeof optionsOrCallback === 'function' ? {} : optionsOrCallback
      const callback = (typeof optionsOrCallback === 'function' ? optionsOrCallback : maybeCallback)!
      if (options.signal?.aborted) throw options.signal.reason
      if (options.ifAvailable && held.has(name)) return callback(null)
      await acquire(name, options.signal)
      try {
        return await callback({ name })
      } finally {
        release(name)
      }
    },
    async query() {
      return { held: [...held].map((name) => ({ name })), pending: [...queues].flatMap(([name, waiting]) => waiting.map(() => ({ name }))) }
    },
  }
}
