import { looksLikeCallback, parseCallbackUrl } from '../core/callback-url.js'
import { AuthError } from '../core/errors.js'
import type { LoginSteps } from '../core/plugins.js'
import { channelName, messageUrl, receivedMessage } from './popup-callback.js'

/** Whether `url` is the authorization response to the login `state`, at `redirectUri`'s origin. */
export function isResponseTo(url: string, redirectUri: string, state: string): boolean {
  const parsed = parseCallbackUrl(url)
  return parsed !== undefined && looksLikeCallback(parsed, redirectUri) && parsed.searchParams.get('state') === state
}

/** How a {@link ResponseWatch} ends the wait. */
export interface WaitControl {
  /** Offers a candidate response URL; anything but the response to this login is ignored. */
  respond(url: string): void
  fail(error: AuthError): void
}

/** Starts watching a window or frame for the response; returns what stops it. */
export type ResponseWatch = (control: WaitControl) => () => void

/**
 * Waits for the authorization response to the login `state`: from the redirect URI page's
 * BroadcastChannel message, or from what `watch` sees (the popup's `postMessage`, the iframe's
 * URL). Rejects with `onTimeout()` after `timeoutMs`, or with what `watch` fails with.
 */
export function waitForResponse(
  { state, redirectUri, timeoutMs, onTimeout }: { state: string; redirectUri: string; timeoutMs: number; onTimeout: () => AuthError },
  watch: ResponseWatch,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const channel = typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel(channelName(state))
    let done = false
    let stopWatching = () => {}
    const finish = (received: boolean) => {
      done = true
      clearTimeout(timer)
      stopWatching()
      if (received) channel?.postMessage(receivedMessage)
      channel?.close()
    }
    const control: WaitControl = {
      respond(url) {
        if (done || !isResponseTo(url, redirectUri, state)) return
        finish(true)
        resolve(url)
      },
      fail(error) {
        if (done) return
        finish(false)
        reject(error)
      },
    }
    const timer = setTimeout(() => control.fail(onTimeout()), timeoutMs)
    if (channel) {
      channel.onmessage = (event) => {
        const url = messageUrl(event.data)
        if (url) control.respond(url)
      }
    }
    stopWatching = watch(control)
    // The watch may have ended the wait before it could hand back its cleanup.
    if (done) stopWatching()
  })
}

/** The longest delay `setTimeout` keeps (2^31 - 1 ms, about 24.8 days); a longer one fires at once. */
const longestTimerSeconds = 2_147_483

/** Throws `config_error` unless `seconds` is a wait a timer can keep: positive, at most about 24.8 days. */
export function assertTimeoutSeconds(name: string, seconds: number) {
  if (!(seconds > 0 && seconds <= longestTimerSeconds)) {
    throw new AuthError('config_error', `${name} must be a number of seconds above 0 and at most ${longestTimerSeconds}`)
  }
}

/**
 * Throws `config_error` unless `redirectUri` is on this page's origin: only then can the response
 * come back to this window (`postMessage` to this origin, a same-origin BroadcastChannel or frame).
 */
export function assertSameOriginRedirect(redirectUri: string) {
  if (!URL.canParse(redirectUri) || new URL(redirectUri).origin !== location.origin) {
    throw new AuthError('config_error', `The redirect URI must be on this page's origin, ${location.origin}`)
  }
}

/**
 * Runs a login whose authorization response comes back to another browsing context (a popup, an
 * iframe): starts it with `navigate`, waits for the response, then redeems it. A login that got no
 * response has its transaction deleted, so an answer arriving later is refused (`invalid_state`).
 */
export async function loginElsewhere<R>(
  steps: LoginSteps<R>,
  wait: { redirectUri: string; timeoutMs: number; onTimeout: () => AuthError },
  navigate: (url: URL) => void,
  watch: ResponseWatch,
): Promise<R> {
  const state = await steps.start(navigate)
  let url: string
  try {
    url = await waitForResponse({ ...wait, state }, watch)
  } catch (error) {
    await steps.abandon(state)
    throw error
  }
  return steps.complete(url)
}
