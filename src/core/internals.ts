// How the action features (popup login, `createFetch`, UserInfo) reach a client's internals: they
// take the client, and look it up here. Not public API.
import type * as oauth from 'oauth4webapi'
import { AuthError } from './errors.js'
import type { ResolvedOptions } from './options.js'
import type { DPoPFeature, LoginStepOptions, LoginSteps, ResourceFeature } from './plugins.js'
import type { Session, User } from './session.js'
import type { AuthClient, LogoutOptions, RedirectCallbackResult } from './types.js'

/** What the action features (popup, fetch, UserInfo) reach through a client. @internal */
export interface ClientInternals {
  config: ResolvedOptions
  /** The server metadata: configured, or discovered once per page; never from storage. */
  metadata(): Promise<oauth.AuthorizationServer>
  /** The steps of a login whose response comes back to a popup or an iframe. */
  loginSteps(options: LoginStepOptions): LoginSteps<RedirectCallbackResult>
  /** Resource indicators (RFC 8707), when configured: the resources, and what `getAccessToken({ resource })` accepts. */
  resource?: ResourceFeature
  /** DPoP (RFC 9449), when configured: the handle that signs the proofs for DPoP-bound tokens. */
  dpop?: DPoPFeature
  /**
   * The client's `getAccessToken()`, silent login included. Called through the internals a feature
   * took when it was called, not through the handle: a handle disposed of while the feature's
   * request is under way must not be put back in use by it (see `dispose()`).
   */
  getAccessToken: AuthClient['getAccessToken']
  /** Ends the session as `logout()` does, and gives where to navigate instead of going there. */
  endSession(options: LogoutOptions): Promise<string | undefined>
  /** The session, once the stored one has been read. */
  session(): Promise<Session | undefined>
  /** Under the lock: replaces the stored session with `change(stored)` unless that is `undefined`; tells every tab. */
  updateSession(change: (stored: Session) => Session | undefined): Promise<void>
  /** With token isolation's proxy: `createFetch()`'s requests, sent by the worker, which holds the token. */
  fetch?: (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>
  /** With token isolation: `fetchUser()`, run by the worker. */
  userInfo?: () => Promise<User | undefined>
  /** With token isolation: how long the session lasts (see `sessionScope()` in `pixie-auth/isolation`). */
  sessionScope?: () => Promise<SessionScope>
}

/** What clients made with equal options share; each `createAuthClient()` returns a handle to it. @internal */
export type SharedClient = Omit<AuthClient, 'dispose'> & { close(): void; internals: ClientInternals }

const registry = new WeakMap<object, () => ClientInternals>()

/** Registers the internals of `client`, a handle `createAuthClient()` returned. */
export function registerInternals(client: object, internals: () => ClientInternals): void {
  registry.set(client, internals)
}

/** The internals of a client made by `createAuthClient()`; `config_error` for anything else. */
export function internalsOf(client: object): ClientInternals {
  const internals = registry.get(client)
  if (!internals) throw new AuthError('config_error', 'Not a client made by createAuthClient() of this copy of pixie-auth')
  return internals()
}

/**
 * How long a session lasts in token isolation mode: see `sessionScope()` in `pixie-auth/isolation`.
 *
 * @example
 * ```ts
 * const scope: SessionScope = 'open-tabs'
 * ```
 */
export type SessionScope = 'browser' | 'open-tabs' | 'this-tab'
