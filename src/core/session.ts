import * as oauth from 'oauth4webapi'
import { AuthError } from './errors.js'
import { maxClockSkewSeconds } from './server-clock.js'
import type { KeyValueStore } from './storage.js'

/**
 * A postal address, the `address` claim (OIDC Core §5.1.1).
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AddressClaim
 * @example
 * ```ts
 * const address: AddressClaim = { locality: 'Lyon', country: 'FR' }
 * ```
 */
export interface AddressClaim {
  /** The full address, for display; may hold line breaks. */
  readonly formatted?: string
  /** Street, house number, apartment...; may hold line breaks. */
  readonly street_address?: string
  /** City or locality. */
  readonly locality?: string
  /** State, province or region. */
  readonly region?: string
  /** Postal or ZIP code. */
  readonly postal_code?: string
  /** Country name. */
  readonly country?: string
}

/**
 * The standard claims about the user (OIDC Core §5.1), with the types the specification gives
 * them. Servers send the ones the granted scopes (`profile`, `email`, `phone`, `address`) allow.
 * They are typed, not converted: a server that breaks §5.1 (`updated_at` as a date string,
 * `email_verified` as `"true"`) still gets its values through as it sent them.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#StandardClaims
 * @example
 * ```ts
 * const claims: StandardClaims = { name: 'Ada Lovelace', email: 'ada@example.com', email_verified: true }
 * ```
 */
export interface StandardClaims {
  /** Full name, for display. */
  readonly name?: string
  /** Given (first) name or names. */
  readonly given_name?: string
  /** Surname or last name. */
  readonly family_name?: string
  /** Middle name or names. */
  readonly middle_name?: string
  /** Casual name. */
  readonly nickname?: string
  /** The name the user goes by (`j.doe`): not unique, never a key for the user; `sub` is. */
  readonly preferred_username?: string
  /** The URL of the user's profile page. */
  readonly profile?: string
  /** The URL of the user's picture. */
  readonly picture?: string
  /** The URL of the user's web page or blog. */
  readonly website?: string
  /** Preferred e-mail address: not unique, never a key for the user; `sub` is. */
  readonly email?: string
  /** Whether the server took steps to check that the user controls `email`. */
  readonly email_verified?: boolean
  /** `female`, `male`, or another value. */
  readonly gender?: string
  /** `YYYY-MM-DD`, or `YYYY` alone, or `0000-MM-DD` when the year is withheld. */
  readonly birthdate?: string
  /** A time zone of the IANA database, such as `Europe/Paris`. */
  readonly zoneinfo?: string
  /** A BCP 47 language tag, such as `fr-CA`. */
  readonly locale?: string
  /** In E.164 format where the server verified it, such as `+1 (425) 555-1212`. */
  readonly phone_number?: string
  /** Whether the server took steps to check that the user controls `phone_number`. */
  readonly phone_number_verified?: boolean
  /** Preferred postal address. */
  readonly address?: AddressClaim
  /** When the user's information was last updated, in seconds since the epoch. */
  readonly updated_at?: number
}

/**
 * The signed-in user, as `getUser()` and the state give it: the validated ID token claims
 * (OIDC Core §2: `iss`, `sub`, `aud`, `exp`, `iat`, `auth_time`, `nonce`, `azp`...), the standard
 * claims (OIDC Core §5.1) and any other claim as a JSON value. `Claims` types the app's own
 * claims, given to `createAuthClient<Claims>()`; like the standard claims, they are not checked
 * at run time, so type a claim optional unless the server always sends it.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDToken
 * @see https://openid.net/specs/openid-connect-core-1_0.html#StandardClaims
 * @example
 * ```ts
 * const user: User | undefined = await auth.getUser()
 * const name: string | undefined = user?.name
 *
 * const client = createAuthClient<{ roles?: string[] }>({ issuer, clientId, redirectUri })
 * const roles: string[] | undefined = (await client.getUser())?.roles
 * ```
 */
export type User<Claims extends object = {}> = oauth.IDToken & StandardClaims & Claims

/** The tokens of a signed-in user, as stored in IndexedDB and shared by the tabs. */
export interface Session {
  accessToken: string
  /** Lowercased `token_type` (RFC 6749 §7.1): `bearer`, or `dpop` for sender-constrained tokens. */
  tokenType: string
  /** Local time (ms) the access token was received; expiry is counted from it, not from the server's clock. */
  receivedAt: number
  /** Local time (ms) the access token expires, from `expires_in`; absent when the server gave none. */
  expiresAt?: number
  scope?: string
  refreshToken?: string
  idToken?: string
  user?: User
  /**
   * Access tokens for other APIs or scopes (RFC 8707), from `getAccessToken({ resource, scope })`,
   * keyed by `resource + ' ' + scope`. Obtained with the session's one refresh token.
   *
   * @see https://www.rfc-editor.org/rfc/rfc8707.html#section-2.2
   */
  resourceTokens?: Record<string, AccessToken>
  /**
   * The resource (RFC 8707) the session's own access token was asked for: the first of
   * `resourceIndicators()` then. A client whose first resource is another refreshes it before use.
   */
  resource?: string
  /**
   * The server's clock minus the browser's, in seconds, measured when the tokens arrived: ID token
   * times are judged by the server's clock (see `server-clock.ts`).
   */
  clockSkew?: number
}

/**
 * One access token and what it is good for (RFC 6749 §5.1).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749.html#section-5.1
 */
export type AccessToken = Pick<Session, 'accessToken' | 'tokenType' | 'receivedAt' | 'expiresAt' | 'scope'>

/**
 * What a client keeps under its session key: the session with the version it was written with, or,
 * once the session is gone (logout, `invalid_grant`), only the version of that deletion. Versions
 * are assigned under the client's Web Lock and only grow, so tabs order sessions by them, never by
 * clocks or by which message came last. They start from the clock, though: a store that lost its
 * versions (the browser wiped IndexedDB, or a tab fell back to memory) still writes above every
 * version written before, which open tabs may hold.
 */
export interface SessionRecord {
  version: number
  session?: Session
  /** On a deletion: `invalid_grant` when the server ended the session, rather than a logout. */
  ended?: 'invalid_grant'
}

/** How far ahead of now a version may be; beyond it (`Infinity`, `1e300`) no tab could ever write above it. */
const maxVersionAheadMs = 365 * 24 * 3600 * 1000

/**
 * Whether `value` can be a record's version: a safe integer from 0 to a year past now. Versions are
 * compared by every tab and only grow, so one out of range (a script wrote `Infinity`, `NaN` or
 * `1e300`) would freeze every later write; it counts as none instead.
 */
export const isVersion = (value: unknown, now = Date.now()): value is number =>
  Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= now + maxVersionAheadMs

/**
 * Whether a stored value has a session's shape, with a clock skew in bounds (it dates DPoP proofs
 * and judges ID token times). Anything else (a script's leftovers, a corrupted record) is no session.
 */
const isSession = (value: unknown): value is Session => {
  const session = value as Session | undefined
  const optional = (field: unknown, type: string) => field === undefined || typeof field === type
  return (
    typeof session?.accessToken === 'string' &&
    typeof session.tokenType === 'string' &&
    optional(session.refreshToken, 'string') &&
    optional(session.idToken, 'string') &&
    optional(session.expiresAt, 'number') &&
    optional(session.user, 'object') &&
    Number.isFinite(session.receivedAt) &&
    (session.clockSkew === undefined || Math.abs(session.clockSkew) <= maxClockSkewSeconds)
  )
}

const keyPrefix = 'session:'

/** The store key of the session record of the client named `namespace`. */
export const sessionKey = (namespace: string) => keyPrefix + namespace

/**
 * The stored record, checked: version 0 when there is none or its version is out of range (see
 * {@link isVersion}: the next write then orders again), and no session when it lacks a session's shape.
 */
export async function readSession(store: Pick<KeyValueStore, 'get'>, namespace: string): Promise<SessionRecord> {
  const stored = await store.get<SessionRecord>(sessionKey(namespace))
  // Version 0.1.0 stored the bare session.
  if (isSession(stored)) return { version: 0, session: stored }
  // `ended` only says which error other tabs show, so it is taken as it is.
  return {
    version: isVersion(stored?.version) ? stored.version : 0,
    session: isSession(stored?.session) ? stored.session : undefined,
    ended: stored?.ended,
  }
}

/**
 * The record that replaces the stored one: `session` (`undefined` for a deletion) with the next
 * version, above the stored version, above `known` (the newest this tab has seen), and at least
 * `now` in ms. The stored version alone restarts from 0 when IndexedDB is wiped or this tab's store
 * fell back to memory, while other tabs hold higher ones; the clock is the one counter every tab of
 * the origin shares, so a write made later in real time gets the higher version (a hybrid logical
 * clock: a clock set back only slows it). Call it under the client's Web Lock, which makes reading
 * and writing the version one step for every tab.
 */
export async function nextSessionRecord(
  store: KeyValueStore,
  namespace: string,
  content: Omit<SessionRecord, 'version'>,
  known: number,
  now = Date.now(),
): Promise<SessionRecord> {
  const { version } = await readSession(store, namespace)
  return { ...content, version: Math.max(version + 1, known + 1, now) }
}

/** Stores `content` (no `session`: a deletion) with the next version; under the Web Lock, see {@link nextSessionRecord}. */
export async function writeSession(
  store: KeyValueStore,
  namespace: string,
  content: Omit<SessionRecord, 'version'>,
  known: number,
  now = Date.now(),
): Promise<SessionRecord> {
  const record = await nextSessionRecord(store, namespace, content, known, now)
  await store.set(sessionKey(namespace), record)
  return record
}

/**
 * Builds the session from a validated token response. On refresh, `previous` supplies what the
 * server did not send again: the refresh token when it does not rotate, the ID token and user when
 * no new ID token came.
 */
export function sessionFromTokens(
  tokens: oauth.TokenEndpointResponse,
  previous?: Session,
  receivedAt = Date.now(),
): Session {
  const user = oauth.getValidatedIdTokenClaims(tokens)
  if (user && previous?.user) assertSameUser(previous.user, user)
  return {
    accessToken: tokens.access_token,
    tokenType: tokens.token_type,
    receivedAt,
    expiresAt: typeof tokens.expires_in === 'number' ? receivedAt + tokens.expires_in * 1000 : undefined,
    scope: tokens.scope ?? previous?.scope,
    refreshToken: tokens.refresh_token ?? previous?.refreshToken,
    idToken: tokens.id_token ?? previous?.idToken,
    user: user ?? previous?.user,
    resourceTokens: previous?.resourceTokens,
  }
}

/**
 * OIDC Core §12.2: an ID token from a refresh must name the same user, from the same issuer, with
 * the original `auth_time` (servers may leave `auth_time` out on refresh; that is no change).
 */
function assertSameUser(previous: User, next: User) {
  for (const claim of ['iss', 'sub', 'auth_time'] as const) {
    const changed = previous[claim] !== next[claim] && (claim !== 'auth_time' || next[claim] !== undefined)
    if (changed) {
      throw new AuthError('invalid_response', `The refreshed ID token changed its "${claim}" claim`)
    }
  }
}

/** Every token `session` holds, to redact from the errors of the requests that sent one. */
export const sessionSecrets = (session: Session): (string | undefined)[] => [
  session.accessToken,
  session.refreshToken,
  session.idToken,
  ...Object.values(session.resourceTokens ?? {}).map((token) => token.accessToken),
]

/**
 * Whether the access token can still be used for `leewaySeconds`. The leeway is capped at half the
 * token's lifetime, so a server that issues very short-lived tokens does not cause a refresh on
 * every call.
 */
export function isFresh(session: AccessToken, leewaySeconds: number, now = Date.now()): boolean {
  if (session.expiresAt === undefined) return true
  const leewayMs = Math.min(leewaySeconds * 1000, (session.expiresAt - session.receivedAt) / 2)
  return session.expiresAt - leewayMs > now
}

/** A stored session is worth restoring if it can still give an access token. */
export const isUsable = (session: Session, now = Date.now()) =>
  session.refreshToken !== undefined || isFresh(session, 0, now)
