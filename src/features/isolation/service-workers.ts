// A Service Worker that controls the isolation worker sees its token requests, refresh tokens in
// their bodies (review R3). The page can list the origin's registrations; the worker cannot (it
// has no `navigator.serviceWorker`). So the page checks before it connects, and the worker asks
// the pages again before each request it sends.
import * as oauth from 'oauth4webapi'
import { AuthError } from '../../core/errors.js'
import type { ResolvedOptions } from '../../core/options.js'

// Taken when this module is evaluated: a script that runs later cannot make the list lie.
const registrations =
  typeof navigator !== 'undefined' && navigator.serviceWorker
    ? navigator.serviceWorker.getRegistrations.bind(navigator.serviceWorker)
    : async () => []

/** The script URL of a registered Service Worker the app did not list, if any. */
export async function foreignServiceWorker(scripts: string[]): Promise<string | undefined> {
  const allowed = scripts.map((script) => new URL(script, location.origin).href)
  for (const registration of await registrations()) {
    for (const worker of [registration.installing, registration.waiting, registration.active]) {
      if (worker && !allowed.includes(worker.scriptURL)) return worker.scriptURL
    }
  }
  return undefined
}

export const foreignServiceWorkerError = (script: string) =>
  new AuthError('config_error', `Token isolation: a Service Worker not listed in serviceWorkers is registered (${script})`)

/** How long a page has to answer a check; a frozen page's silence does not hold requests back. */
const answerMs = 2_000

/** What the worker sends a page to ask. */
export interface CheckEvent {
  v: 1
  event: 'check'
  check: number
}

/** A page's port, as the checks see it. */
type CheckedPort = { postMessage(message: CheckEvent): void }

/**
 * The worker's side: asks pages whether a foreign Service Worker is registered, and hears their
 * answers (`checked` requests). A check is answered only on the port it was sent to: the numbers are
 * easy to guess, and another page's "no" must not stand for the app page's "yes".
 */
export function createServiceWorkerChecks() {
  let lastCheck = 0
  const waiting = new Map<number, { port: CheckedPort; done: (foreign: boolean) => void }>()
  return {
    /** True when some page that answered in time saw a foreign registration. */
    async anyForeign(ports: Iterable<CheckedPort>): Promise<boolean> {
      const answers = [...ports].map(
        (port) =>
          new Promise<boolean>((resolve) => {
            const check = ++lastCheck
            const done = (foreign: boolean) => {
              waiting.delete(check)
              resolve(foreign)
            }
            waiting.set(check, { port, done })
            setTimeout(done, answerMs, false)
            port.postMessage({ v: 1, event: 'check', check })
          }),
      )
      return (await Promise.all(answers)).includes(true)
    },
    /** `port`'s answer to `check`; ignored when the check was sent to another port. */
    answer(port: CheckedPort, check: number, foreign: boolean) {
      const asked = waiting.get(check)
      if (asked?.port === port) asked.done(foreign)
    },
  }
}

/**
 * Whether a Service Worker handles this worker's requests now, by the Resource Timing of a request
 * for its own script: `workerStart` is 0 unless one ran. The worker's realm is out of the page
 * scripts' reach, so, unlike a page's answer, this cannot be made to lie. `undefined` where the
 * browser records no timing for it.
 *
 * @see https://w3c.github.io/resource-timing/#dom-performanceresourcetiming-workerstart
 */
export async function handledByServiceWorker(): Promise<boolean | undefined> {
  const probe = new URL(location.href)
  probe.searchParams.set('pixie-auth-probe', crypto.randomUUID())
  try {
    await (await fetch(probe, { cache: 'no-store' })).arrayBuffer()
  } catch (cause) {
    throw new AuthError('network_error', 'The worker could not check for a Service Worker', { cause })
  }
  // The entry is added when the response ends, on a later task.
  for (let tries = 0; tries < 20; tries += 1) {
    const [entry] = performance.getEntriesByName(probe.href) as PerformanceResourceTiming[]
    if (entry) {
      performance.clearResourceTimings()
      return entry.workerStart > 0
    }
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return undefined
}

/**
 * Whether a foreign Service Worker may see the next request. With no Service Worker of the app's,
 * any that handles the worker's requests is foreign, and one that handles none cannot read them.
 * Otherwise (the app has its own, or the browser records no timing) the pages are asked.
 */
export async function foreignServiceWorkerSeen(
  handled: boolean | undefined,
  appHasServiceWorkers: boolean,
  askPages: () => Promise<boolean>,
): Promise<boolean> {
  if (handled === false) return false
  if (handled === true && !appHasServiceWorkers) return true
  return askPages()
}

/** The parameters of the requests that carry a refresh token or a code: token and revocation requests (RFC 6749 §4.1.3, §6; RFC 7009 §2.1). */
const secretParameters = ['refresh_token', 'code', 'token']

/**
 * Makes each request of the client that carries a refresh token or a code (oauth4webapi sends
 * those as form bodies) wait for `confirm()`, which throws to stop it. API requests carry only the
 * access token, and are not held up by a frozen page's silence.
 */
export function confirmBeforeSending(config: ResolvedOptions, confirm: () => Promise<void>) {
  const send = config.http[oauth.customFetch]!
  config.http[oauth.customFetch] = async (url, init) => {
    const { body } = init
    if (body instanceof URLSearchParams && secretParameters.some((name) => body.has(name))) await confirm()
    return send(url, init)
  }
}
