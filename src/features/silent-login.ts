import { AuthError, toAuthError } from '../core/errors.js'
import type { Plugin, PluginContext } from '../core/options.js'
import type { LoginSteps, SilentLoginFeature } from '../core/plugins.js'
import { requireAppUrl, resolveAppUrl } from '../core/url-policy.js'
import { assertSameOriginRedirect, assertTimeoutSeconds, loginElsewhere, type ResponseWatch } from './response-channel.js'

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
async function loginInFrame<R>(
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

/**
 * Options for {@link silentLogin}.
 *
 * @example
 * ```ts
 * const options: SilentLoginOptions = { redirectUri: `${location.origin}/silent-callback.html`, timeoutSeconds: 5 }
 * ```
 */
export interface SilentLoginOptions {
  /**
   * Where silent logins come back to, on the app's origin (an absolute URL or a path, like the
   * client's `redirectUri`); registered at the server. Default the
   * client's `redirectUri`, but it must be a page that does not complete logins itself: a blank
   * page, or the page that calls `handlePopupCallback()`.
   */
  redirectUri?: string
  /** How long a silent login may take before it gives up with `login_required`, in seconds. Default 10. */
  timeoutSeconds?: number
}

/**
 * What `silentLogin()` makes, for the `silentLogin` option of `createAuthClient()`.
 *
 * @example
 * ```ts
 * const plugin: SilentLoginPlugin = silentLogin({ timeoutSeconds: 5 })
 * ```
 */
export interface SilentLoginPlugin extends Plugin<SilentLoginFeature> {
  /** See {@link SilentLoginOptions.redirectUri}; `undefined`: the client's `redirectUri`. */
  readonly redirectUri?: string
  /** See {@link SilentLoginOptions.timeoutSeconds}. */
  readonly timeoutSeconds: number
}

/**
 * Silent login, for the `silentLogin` option of `createAuthClient()`: when there is no session, or
 * it can no longer be refreshed, `getAccessToken()` first tries to log in with `prompt=none` in a
 * hidden iframe (OIDC Core §3.1.2.1), then rejects with `login_required` if that fails. That works
 * only where the browser sends the server's session cookie to a frame inside the app: when the
 * server is on the app's site (`login.example.com` for `app.example.com`), or third-party cookies
 * are allowed. Throws `config_error` at once for a `redirectUri` that is neither an absolute URL nor a path, or a
 * `timeoutSeconds` that is not a positive number a timer can keep (at most about 24.8 days).
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest
 * @example
 * ```ts
 * import { silentLogin } from 'pixie-auth/silent-login'
 * const auth = createAuthClient({ issuer, clientId, redirectUri, silentLogin: silentLogin({ redirectUri: `${location.origin}/silent.html` }) })
 * ```
 */
export function silentLogin({ redirectUri, timeoutSeconds = 10 }: SilentLoginOptions = {}): SilentLoginPlugin {
  if (redirectUri !== undefined) requireAppUrl('silentLogin redirectUri', redirectUri)
  assertTimeoutSeconds('silentLogin timeoutSeconds', timeoutSeconds)
  return Object.freeze({ option: 'silentLogin', setup: silentLoginSetup, redirectUri, timeoutSeconds })
}

function silentLoginSetup(this: SilentLoginPlugin, { config }: PluginContext): SilentLoginFeature {
  const { redirectUri: given = config.redirectUri, timeoutSeconds } = this
  let pending: Promise<unknown> | undefined
  return {
    // One silent login at a time: every call that found no session waits for the same one.
    login(steps) {
      // Resolved now that there is a page: the client may have been made where there was none.
      const redirectUri = resolveAppUrl(given)
      return (pending ??= loginInFrame(steps({ redirectUri, authorizationParams: { prompt: 'none' } }), { redirectUri, timeoutSeconds }).finally(
        () => {
          pending = undefined
        },
      ))
    },
  }
}
