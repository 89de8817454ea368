import { AuthError, toAuthError } from '../core/errors.js'
import { internalsOf } from '../core/internals.js'
import type { LoginSteps } from '../core/plugins.js'
import type { AuthClient, LoginOptions, RedirectCallbackResult } from '../core/types.js'
import { resolveAppUrl } from '../core/url-policy.js'
import { messageUrl } from './popup-callback.js'
import { assertSameOriginRedirect, assertTimeoutSeconds, loginElsewhere, type ResponseWatch } from './response-channel.js'

const popupWidth = 500
const popupHeight = 650
/** No event says a window was closed: `popup.closed` is polled, this often. */
const closedPollMs = 500
/** After the popup closed, how long a response it sent just before closing may take to arrive. */
const closedGraceMs = 1000

/**
 * Opens an empty popup centred over the app. It must open before anything is awaited: browsers
 * allow `window.open` only shortly after the click that asked for it (transient user activation).
 *
 * @see https://html.spec.whatwg.org/multipage/interaction.html#transient-activation
 */
function openPopup(): Window {
  const left = Math.round(window.screenX + (window.outerWidth - popupWidth) / 2)
  const top = Math.round(window.screenY + (window.outerHeight - popupHeight) / 2)
  const popup = window.open('', '_blank', `popup,width=${popupWidth},height=${popupHeight},left=${left},top=${top}`)
  if (!popup) {
    throw new AuthError('popup_blocked', 'The browser blocked the login popup; call loginWithPopup() from a click handler')
  }
  return popup
}

/**
 * Takes the response from the popup's `postMessage`, only when it comes from that very window
 * (`event.source`) showing a page of the redirect URI's origin (`event.origin`): any other window
 * could post a forged response. Fails with `popup_closed` when the popup is closed without one.
 */
function watchPopup(popup: Window, redirectOrigin: string): ResponseWatch {
  return ({ respond, fail }) => {
    const onMessage = (event: MessageEvent) => {
      if (event.source !== popup || event.origin !== redirectOrigin) return
      const url = messageUrl(event.data)
      if (url) respond(url)
    }
    let grace: ReturnType<typeof setTimeout> | undefined
    const poll = setInterval(() => {
      if (!popup.closed) return
      clearInterval(poll)
      grace = setTimeout(() => fail(new AuthError('popup_closed', 'The login popup was closed before the login finished')), closedGraceMs)
    }, closedPollMs)
    window.addEventListener('message', onMessage)
    return () => {
      window.removeEventListener('message', onMessage)
      clearInterval(poll)
      clearTimeout(grace)
    }
  }
}

/**
 * Logs in through a popup: the same transaction, checks and code redemption as a redirect login,
 * with the authorization response brought back by the redirect URI page's
 * `handlePopupCallback()`. The popup is closed whatever the outcome.
 */
async function loginInPopup<R>(
  steps: LoginSteps<R>,
  { redirectUri, timeoutSeconds }: { redirectUri: string; timeoutSeconds: number },
): Promise<R> {
  assertSameOriginRedirect(redirectUri)
  assertTimeoutSeconds('timeoutSeconds', timeoutSeconds)
  const popup = openPopup()
  try {
    return await loginElsewhere(
      steps,
      {
        redirectUri,
        timeoutMs: timeoutSeconds * 1000,
        onTimeout: () => new AuthError('timeout', `The popup login did not finish within ${timeoutSeconds} seconds`),
      },
      (url) => popup.location.assign(url),
      watchPopup(popup, new URL(redirectUri).origin),
    )
  } finally {
    popup.close()
  }
}

/**
 * Options for {@link loginWithPopup}.
 *
 * @example
 * ```ts
 * button.onclick = () => loginWithPopup(auth, { timeoutSeconds: 120 })
 * ```
 */
export interface PopupLoginOptions extends LoginOptions {
  /** How long the user has to log in, in seconds, before the popup is closed and the call rejects with `timeout`. Default 300. */
  timeoutSeconds?: number
}

/**
 * Logs in in a popup while the app stays as it is: the same one-time transaction (PKCE, `state`,
 * `nonce`) and checks as `loginWithRedirect()`. The popup comes back to `redirectUri` (default:
 * the client's), a page of this origin that calls `handlePopupCallback()`; this window then
 * redeems the code and resolves like `handleRedirectCallback()`. Call it from a click handler.
 * Rejects with `popup_blocked` when the browser refuses the popup, `popup_closed` when the user
 * closes it, `timeout` after `timeoutSeconds`.
 *
 * @example
 * ```ts
 * loginButton.onclick = async () => {
 *   const { user } = await loginWithPopup(auth, { redirectUri: `${location.origin}/popup-callback.html` })
 * }
 * ```
 */
export async function loginWithPopup(
  client: AuthClient,
  { timeoutSeconds = 300, ...options }: PopupLoginOptions = {},
): Promise<RedirectCallbackResult> {
  try {
    const internals = internalsOf(client)
    const redirectUri = resolveAppUrl(options.redirectUri ?? internals.config.redirectUri)
    return await loginInPopup(internals.loginSteps(options), { redirectUri, timeoutSeconds })
  } catch (cause) {
    throw toAuthError(cause)
  }
}
