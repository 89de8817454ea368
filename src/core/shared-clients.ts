/**
 * One client per set of options in a page. Hot module reload, remounts and two framework bindings
 * all call `createAuthClient()` again with the same options; two clients would each open a
 * channel, hold a state of their own and, after expiry, refresh twice. Clients made with equal
 * options therefore share one instance, kept while any of them is in use.
 */

/** What is shared: closed when the last user lets go. */
export interface Shareable {
  close(): void
}

interface Entry<T extends Shareable> {
  shared: T
  users: number
}

/**
 * The instances currently in use, by options key. Module state on purpose: a bundle that loads
 * pixie-auth once has one registry per page.
 */
const entries = new Map<string, Entry<Shareable>>()

/** The instance in use under `key`, if any, without using it. */
export function peekShared<T extends Shareable>(key: string): T | undefined {
  return entries.get(key)?.shared as T | undefined
}

/** Uses the instance under `key`, creating it when there is none. */
export function acquireShared<T extends Shareable>(key: string, create: () => T): T {
  let entry = entries.get(key)
  if (!entry) {
    entry = { shared: create(), users: 0 }
    entries.set(key, entry)
  }
  entry.users += 1
  return entry.shared as T
}

/** Stops using the instance under `key`; the last user closes it, unless it is used again at once. */
export function releaseShared(key: string): void {
  const entry = entries.get(key)
  if (!entry) return
  entry.users -= 1
  if (entry.users > 0) return
  // On the next task: React StrictMode unmounts and mounts again in one go, and the remount must
  // find the same instance (with its pending redirect callback), not a new one.
  setTimeout(() => {
    if (entry.users > 0 || entries.get(key) !== entry) return
    entries.delete(key)
    entry.shared.close()
  })
}

// Functions (a custom `fetch`) compare by identity: each distinct one gets a number.
const functionIds = new WeakMap<object, number>()
let nextFunctionId = 0

/**
 * A key equal for options that would make identical clients: JSON with object keys sorted, and
 * functions by identity.
 */
export function optionsKey(options: object): string {
  return JSON.stringify(options, (_key, value: unknown) => {
    if (typeof value === 'function') {
      if (!functionIds.has(value)) functionIds.set(value, ++nextFunctionId)
      return `function#${functionIds.get(value)}`
    }
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      return Object.fromEntries(Object.keys(value).sort().map((key) => [key, (value as Record<string, unknown>)[key]]))
    }
    return value
  })
}
