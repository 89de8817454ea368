/**
 * Runs `task` while holding the exclusive Web Lock `name`, shared by every tab and worker of the
 * origin. The browser releases the lock when its holder's tab closes, so a tab that dies mid-refresh
 * cannot block the others. Waiting has no timeout of its own: a slow holder is bounded by its
 * request timeout, and a waiter that gave up early would refresh a token the holder already spent.
 *
 * Where Web Locks are missing (very old browsers, non-secure contexts) the task runs at once: the
 * caller still allows only one refresh per tab.
 */
export function withRefreshLock<T>(name: string, task: () => Promise<T>): Promise<T> {
  const locks = globalThis.navigator?.locks
  // lib.dom types the callback's result as the lock's, not its awaited value.
  return locks ? (locks.request(name, task) as Promise<T>) : task()
}
