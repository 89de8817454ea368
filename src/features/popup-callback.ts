// The page a popup or silent-login iframe comes back to: it hands the authorization response to the
// window that started the login. Kept apart from the waiting side, and importing only the URL
// helpers, so that page loads a few hundred bytes and nothing of the protocol.
import { cleanCallbackUrl, looksLikeCallback, parseCallbackUrl } from '../core/callback-url.js'

/**
 * What the redirect URI page sends to the window waiting for a popup or iframe login: the whole
 * authorization response URL, which that window validates like any redirect callback.
 */
export interface ResponseMessage {
  type: 'pixie-auth:authorization-response'
  url: string
}

/** The waiting window's answer on the channel once it has the response: the popup may close itself. */
export const receivedMessage = { type: 'pixie-auth:response-received' }

/**
 * One BroadcastChannel per login, named by its `state`. BroadcastChannel only reaches the same
 * origin, and it still works when `Cross-Origin-Opener-Policy` has cut `window.opener`.
 */
export const channelName = (state: string) => `pixie-auth:response:${state}`

/** The URL in a {@link ResponseMessage}, or `undefined` for any other data. */
export function messageUrl(data: unknown): string | undefined {
  const message = data as Partial<ResponseMessage> | null
  return message?.type === 'pixie-auth:authorization-response' && typeof message.url === 'string'
    ? message.url
    : undefined
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
