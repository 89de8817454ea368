import type { AuthClient } from './client.js'
import { AuthError } from './errors.js'

/** The client methods a framework binding hands to components, the same in every binding. */
export interface AuthActions {
  /** See {@link AuthClient.loginWithRedirect}. */
  loginWithRedirect: AuthClient['loginWithRedirect']
  /** See {@link AuthClient.logout}. */
  logout: AuthClient['logout']
  /** See {@link AuthClient.getAccessToken}. */
  getAccessToken: AuthClient['getAccessToken']
  /**
   * `fetch` with the access token, passed through to the client's own `fetch()`. Rejects with a
   * `config_error` when the client has none: use `getAccessToken()` and an
   * `Authorization: Bearer` header instead.
   */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>
}

type ClientFetch = AuthActions['fetch']

/**
 * Binds the actions to `client`. Wrapped in arrow functions so that a client whose methods use
 * `this` still works when a component destructures them.
 */
export function authActions(client: AuthClient): AuthActions {
  return {
    loginWithRedirect: (options) => client.loginWithRedirect(options),
    logout: (options) => client.logout(options),
    getAccessToken: (options) => client.getAccessToken(options),
    fetch(input, init) {
      // `auth.fetch()` is planned for the core; the bindings only pass it through, so it behaves
      // the same in every framework once it exists.
      const clientFetch = (client as { fetch?: ClientFetch }).fetch
      if (!clientFetch) {
        return Promise.reject(
          new AuthError('config_error', 'This client has no fetch(); use getAccessToken() and an Authorization header'),
        )
      }
      return clientFetch.call(client, input, init)
    },
  }
}
