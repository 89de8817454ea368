import type { AuthClient } from '../core/types.js'
import type { AuthClientOptions } from '../core/options.js'

/**
 * What a framework binding is given: a client made with `createAuthClient()`, or its options.
 *
 * @example
 * ```ts
 * const given: ClientOrOptions = { client: auth }
 * const options: ClientOrOptions = { issuer, clientId, redirectUri }
 * ```
 */
export type ClientOrOptions<Claims extends object = {}> =
  | {
      /** The client to provide, made with `createAuthClient()`. */
      client: AuthClient<Claims>
    }
  | (AuthClientOptions & {
      /** Absent: the binding makes its client from the other options, the client's options. */
      client?: undefined
    })

/** The client methods a framework binding hands to components, the same in every binding. */
export interface AuthActions<Claims extends object = {}> {
  /** See {@link AuthClient.loginWithRedirect}. */
  loginWithRedirect: AuthClient['loginWithRedirect']
  /** See {@link AuthClient.logout}. */
  logout: AuthClient['logout']
  /** See {@link AuthClient.getAccessToken}. */
  getAccessToken: AuthClient['getAccessToken']
  /**
   * The client itself, for the features that take it: `createFetch(client)` (`pixie-auth/fetch`),
   * `loginWithPopup(client)` (`pixie-auth/popup`), `fetchUser(client)` (`pixie-auth/userinfo`).
   */
  client: AuthClient<Claims>
}

/**
 * Binds the actions to `client`. Wrapped in arrow functions so that a client whose methods use
 * `this` still works when a component destructures them.
 */
export function authActions(client: AuthClient): AuthActions {
  return {
    loginWithRedirect: (options) => client.loginWithRedirect(options),
    logout: (options) => client.logout(options),
    getAccessToken: (options) => client.getAccessToken(options),
    client,
  }
}
