/**
 * What the page tells the client about its own lifecycle.
 *
 * A page in the back/forward cache is frozen and misses every BroadcastChannel message; worse,
 * Chromium evicts a cached page when a message arrives on an open channel, losing the instant
 * "back". So the channel is closed while the page is hidden, and the stored session read again
 * when the page comes back (`pageshow` with `persisted`).
 *
 * @see https://html.spec.whatwg.org/multipage/nav-history-apis.html#the-pagetransitionevent-interface
 * @see https://web.dev/articles/bfcache
 */
export interface PageLifecycle {
  /** The page is being hidden: unloaded, or put in the back/forward cache. */
  onHide(): void
  /** The page came back from the back/forward cache. */
  onRestore(): void
}

/** Listens to `pagehide` and `pageshow`; returns the function that stops. A no-op outside a window. */
export function watchPageLifecycle({ onHide, onRestore }: PageLifecycle): () => void {
  if (typeof window === 'undefined' || typeof window.addEventListener !== 'function') return () => {}
  const show = (event: PageTransitionEvent) => {
    if (event.persisted) onRestore()
  }
  window.addEventListener('pagehide', onHide)
  window.addEventListener('pageshow', show)
  return () => {
    window.removeEventListener('pagehide', onHide)
    window.removeEventListener('pageshow', show)
  }
}
