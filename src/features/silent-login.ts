import { AuthError, toAuthError } from '../core/errors.js'
import { assertSameOriginRedirect, loginElsewhere, type LoginSteps, type ResponseWatch } from './response-channel.js'

/**
 * The errors with which a `prompt=none` request says the user must be there (OIDC Core §3.1.2.6):
 * to the app they all mean "log in interactively".
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthError
 */
const interactionErrors = new Set(['login_required', 'interaction_required', 'consent_required', 'account_selection_required'])

function createHiddenFrame(url: URL): HTMLIFrameElement {
  const frame = document.createElement('iframe')
  frame.hidden = true
  frame.setAttribute('aria-hidden', 'true')
  frame.src = url.href
  document.body.append(frame)
  return frame
}

/**
 * Reads the frame's URL each time it loads: readable once it is back on our origin, so any page at
 * the redirect URI works, one without a script included. While the frame shows the server's pages,
 * reading throws.
 */
function watchFrame(frame: () => HTMLIFrameElement | undefined): ResponseWatch {
  return ({ respond }) => {
    const target = frame()
    const onLoad = () => {
      let href: string | undefined
      try {
        href = target?.contentWindow?.location.href
      } catch {
        return
      }
      if (href) respond(href)
    }
    target?.addEventListener('load', onLoad)
    return () => target?.removeEventListener('load', onLoad)
  }
}

/**
 * Logs in without showing anything: the authorization request, with `prompt=none`, runs in a
 * hidden iframe and succeeds only if the server still has a session for the user, which needs
 * its session cookie in a frame of another site (third-party cookies). Every way of failing to
 * log in silently (the server's `login_required` or `interaction_required`, no answer within
 * `timeoutSeconds`) rejects with `login_required`, the original reason as `cause`.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest
 */
export async function loginInFrame<R>(
  steps: LoginSteps<R>,
  { redirectUri, timeoutSeconds }: { redirectUri: string; timeoutSeconds: number },
): Promise<R> {
  assertSameOriginRedirect(redirectUri)
  let frame: HTMLIFrameElement | undefined
  try {
    return await loginElsewhere(
      steps,
      {
        redirectUri,
        timeoutMs: timeoutSeconds * 1000,
        onTimeout: () =>
          new AuthError('login_required', `Silent login got no answer within ${timeoutSeconds} seconds`, {
            cause: new AuthError('timeout', 'The hidden iframe never came back to the redirect URI'),
          }),
      },
      (url) => {
        frame = createHiddenFrame(url)
      },
      watchFrame(() => frame),
    )
  } catch (cause) {
    const error = toAuthError(cause)
    if (error.code !== 'oauth_error' || !interactionErrors.has(error.error ?? '')) throw error
    throw new AuthError('login_required', `Silent login failed: the server answered ${error.error}`, { cause: error })
  } finally {
    frame?.remove()
  }
}
