/**
 * An `AbortSignal` that aborts with a `TimeoutError` `ms` after it is made, like
 * `AbortSignal.timeout(ms)`, except after the page was stopped: a tab whose scripts were paused (a
 * debugger, a long task elsewhere in the page) past the deadline fires its timer on resuming, ahead
 * of the answer that arrived meanwhile and waits in the queue behind it. Aborting then would throw
 * away a token response the server has acted on, and a rotated refresh token with it (a reuse
 * detection at the next refresh). So a timer that fires more than `graceMs` late, which only a
 * stopped page does, waits `graceMs` more before it aborts: an answer already there is read in time.
 *
 * @see https://dom.spec.whatwg.org/#dom-abortsignal-timeout
 */
export function requestTimeout(ms: number, graceMs = 1000): AbortSignal {
  const controller = new AbortController()
  const deadline = performance.now() + ms
  const abort = () => controller.abort(new DOMException('The request timed out', 'TimeoutError'))
  setTimeout(() => {
    if (performance.now() - deadline > graceMs) setTimeout(abort, graceMs)
    else abort()
  }, ms)
  return controller.signal
}
