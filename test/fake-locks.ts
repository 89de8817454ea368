// A Web Locks LockManager for tests in Node, which has none: exclusive and shared locks granted in
// request order, `ifAvailable`, `signal` and `query()`, for one agent (the page and the worker of a
// test share it, as they share the browser's).

type Callback = (lock: { name: string } | null) => unknown
type Mode = 'exclusive' | 'shared'
interface Options {
  ifAvailable?: boolean
  signal?: AbortSignal
  mode?: Mode
}

export interface FakeLocks {
  request(name: string, optionsOrCallback: Options | Callback, callback?: Callback): Promise<unknown>
  query(): Promise<{ held: { name: string; mode: Mode }[]; pending: { name: string; mode: Mode }[] }>
}

export function fakeLocks(): FakeLocks {
  const held: { name: string; mode: Mode }[] = []
  const waiting: { name: string; mode: Mode; grant: () => void }[] = []

  const compatible = (name: string, mode: Mode) =>
    held.every((lock) => lock.name !== name || (mode === 'shared' && lock.mode === 'shared'))
  // In request order: nothing asked earlier for the name may be waiting.
  const grantable = (name: string, mode: Mode) => compatible(name, mode) && !waiting.some((each) => each.name === name)
  const grantWaiting = () => {
    const blocked = new Set<string>()
    for (const each of [...waiting]) {
      if (blocked.has(each.name)) continue
      if (!compatible(each.name, each.mode)) {
        blocked.add(each.name)
        continue
      }
      waiting.splice(waiting.indexOf(each), 1)
      each.grant()
    }
  }
  const acquire = (name: string, mode: Mode, signal?: AbortSignal) =>
    new Promise<void>((granted, refused) => {
      const lock = { name, mode }
      if (grantable(name, mode)) return void (held.push(lock), granted())
      const entry = { name, mode, grant: () => void (held.push(lock), granted()) }
      waiting.push(entry)
      signal?.addEventListener('abort', () => {
        if (waiting.includes(entry)) waiting.splice(waiting.indexOf(entry), 1)
        refused(signal.reason)
      })
    })
  const release = (name: string, mode: Mode) => {
    held.splice(held.findIndex((lock) => lock.name === name && lock.mode === mode), 1)
    grantWaiting()
  }

  return {
    async request(name, optionsOrCallback, maybeCallback) {
      const options: Options = typeof optionsOrCallback === 'function' ? {} : optionsOrCallback
      const callback = (typeof optionsOrCallback === 'function' ? optionsOrCallback : maybeCallback)!
      const mode = options.mode ?? 'exclusive'
      if (options.signal?.aborted) throw options.signal.reason
      if (options.ifAvailable && !grantable(name, mode)) return callback(null)
      await acquire(name, mode, options.signal)
      try {
        return await callback({ name })
      } finally {
        release(name, mode)
      }
    },
    async query() {
      return { held: [...held], pending: waiting.map(({ name, mode }) => ({ name, mode })) }
    },
  }
}
