import { cleanCallbackUrl, looksLikeCallback, parseCallbackUrl } from '../core/callback.js'
import { AuthError } from '../core/errors.js'
import type { LoginSteps } from '../core/plugins.js'

/**
 * What the redirect URI page sends to the window waiting for a popup or iframe login: the whole
 * authorization response URL, which that window validates like any redirect callback.
 */
interface ResponseMessage {
  type: 'pixie-auth:authorization-response'
  url: string
}

/** The waiting window's answer on the channel once it has the response: the popup may close itself. */
const receivedMessage = { type: 'pixie-auth:response-received' }

/**
 * One BroadcastChannel per login, named by its `state`. BroadcastChannel only reaches the same
 * origin, and it still works when `Cross-Origin-Opener-Policy` has cut `window.opener`.
 */
const channelName = (state: string) => `pixie-auth:response:${state}`

/** The URL in a {@link ResponseMessage}, or `undefined` for any other data. */
export function messageUrl(data: unknown): string | undefined {
  const message = data as Partial<ResponseMessage> | null
  return message?.type === 'pixie-auth:authorization-response' && typeof message.url === 'string'
    ? message.url
    : undefined
}

/** Whether `url` is the authorization response to the login `state`, at `redirectUri`'s origin. */
export function isResponseTo(url: string, redirectUri: string, state: string): boolean {
  const parsed = parseCallbackUrl(url)
  return parsed !== undefined && looksLikeCallback(parsed, redirectUri) && parsed.searchParams.get('state') === state
}

/**
 * For the page that a `loginWithPopup()` popup (or a silent-login iframe) comes back to: hands the
 * authorization response in `url` (default: the current location) to the window that started the
 * login, which redeems it. It is posted to `window.opener` for this origin only, and on a
 * BroadcastChannel of this origin for when the opener link was cut. Returns `false`, doing
 * nothing, when `url` carries no authorization response.
 *
 * This page must not call `handleRedirectCallback()` itself: the waiting window does.
 *
 * @see https://html.spec.whatwg.org/multipage/web-messaging.html#posting-messages
 * @example
 * ```ts
 * // popup-callback.html, registered at the server as a redirect URI
 * import { handlePopupCallback } from 'pixie-auth/popup'
 * handlePopupCallback()
 * ```
 */
export function handlePopupCallback(url: string = location.href): boolean {
  const parsed = parseCallbackUrl(url)
  const state = parsed?.searchParams.get('state')
  if (!parsed || !state || !looksLikeCallback(parsed, location.href)) return false
  const message: ResponseMessage = { type: 'pixie-auth:authorization-response', url: parsed.href }
  // An explicit target origin: the code must never reach a window that navigated elsewhere.
  ;(window.opener as Window | null)?.postMessage(message, location.origin)
  if (typeof BroadcastChannel !== 'undefined') {
    const channel = new BroadcastChannel(channelName(state))
    // Closing the popup from the opener fails when the opener link was cut: close it from here.
    channel.onmessage = (event) => {
      if ((event.data as { type?: unknown } | null)?.type !== receivedMessage.type) return
      channel.close()
      window.close()
    }
    channel.postMessage(message)
  }
  cleanCallbackUrl(parsed)
  return true
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
