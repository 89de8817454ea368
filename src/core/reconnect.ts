/** The longest random delay before a tab retries after `online` or `visibilitychange`, in ms. */
export const reconnectJitterMs = 1000

/** What {@link watchConnectivity} gives: whether the browser is offline, and the way to stop watching. */
export interface Connectivity {
  /** Whether the browser announced it went offline (`offline` event) and still says so (`navigator.onLine`). */
  offline(): boolean
  stop(): void
}

/**
 * Watches the events that may let a failed refresh succeed: the browser came back online, or the
 * page became visible (a hidden tab may have been frozen, or the machine asleep). Each calls
 * `retry` after a random delay of up to `maxDelayMs`, so tabs that all hear the same event do not
 * all act at once, and at most one call is pending at a time.
 *
 * Offline means the browser said so by an event: `navigator.onLine` alone is also false on a
 * machine with no network but loopback, where a server on the same machine still answers.
 * Touches nothing where there is no `window` (server-side rendering).
 *
 * @see https://html.spec.whatwg.org/multipage/system-state.html#navigator.online
 * @see https://html.spec.whatwg.org/multipage/interaction.html#page-visibility
 */
export function watchConnectivity(retry: () => void, maxDelayMs = reconnectJitterMs): Connectivity {
  if (typeof window === 'undefined' || typeof document === 'undefined') return { offline: () => false, stop() {} }
  let wentOffline = false
  let timer: ReturnType<typeof setTimeout> | undefined
  const offline = () => wentOffline && navigator.onLine === false
  const schedule = () => {
    if (timer !== undefined || offline() || document.visibilityState === 'hidden') return
    timer = setTimeout(() => {
      timer = undefined
      retry()
    }, Math.random() * maxDelayMs)
  }
  const onOffline = () => {
    wentOffline = true
  }
  const onOnline = () => {
    wentOffline = false
    schedule()
  }
  window.addEventListener('offline', onOffline)
  window.addEventListener('online', onOnline)
  document.addEventListener('visibilitychange', schedule)
  return {
    offline,
    stop() {
      clearTimeout(timer)
      window.removeEventListener('offline', onOffline)
      window.removeEventListener('online', onOnline)
      document.removeEventListener('visibilitychange', schedule)
    },
  }
}
