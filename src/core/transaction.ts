import * as oauth from 'oauth4webapi'
import { AuthError } from './errors.js'
import type { KeyValueStore } from './storage.js'

/**
 * The client a login belongs to. Several clients (two providers, or two client IDs) may log in
 * from one origin and share its storage: each finds and takes only its own transactions, so one
 * never redeems a code with another's verifier at another's token endpoint (RFC 9700 §4.4).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700.html#section-4.4
 */
export interface TransactionOwner {
  /** `issuer#clientId`: names the client's storage keys, as it names its session. */
  namespace: string
  issuer: string
  clientId: string
}

/**
 * What a login must remember across the redirect (RFC 7636 verifier, RFC 6749 `state`, OIDC
 * `nonce`), stored under its client and `state` so several tabs and clients can log in at once.
 */
export interface Transaction {
  state: string
  codeVerifier: string
  nonce?: string
  /** The client that started the login; checked again when it is taken. */
  issuer: string
  clientId: string
  /** The only URL (origin, path and its query parameters) the response may come back to. */
  redirectUri: string
  scope: string
  /** The `max_age` sent, so `auth_time` can be checked (OIDC Core §3.1.2.1). */
  maxAge?: number
  appState?: unknown
  createdAt: number
}

/** A login that has not come back after this long is abandoned. */
export const transactionLifetimeMs = 10 * 60 * 1000

const keyPrefix = 'tx:'
const keyOf = (namespace: string, state: string) => `${keyPrefix}${namespace} ${state}`

/**
 * A short tag of the client, the first part of every `state` it makes, so a page can tell which
 * client a callback is for without reading storage (`isRedirectCallback()` is synchronous). It
 * only routes a callback to its client: what protects a login is that the transaction is stored
 * under the client, checked on take, and bound to its redirect URI. FNV-1a, 32 bits.
 */
function clientTag(namespace: string): string {
  let hash = 0x811c9dc5
  for (let index = 0; index < namespace.length; index++) {
    hash = Math.imul(hash ^ namespace.charCodeAt(index), 0x01000193)
  }
  return (hash >>> 0).toString(36)
}

/** A fresh random `state` of the client of `namespace`, tagged so that it knows it when it comes back. */
export const newState = (namespace: string) => `${clientTag(namespace)}.${oauth.generateRandomState()}`

/** Whether `state` was made by the client of `namespace`: only then is the callback its own. */
export function isOwnState(namespace: string, state: string | null | undefined): state is string {
  return typeof state === 'string' && state.startsWith(`${clientTag(namespace)}.`)
}

/** Creates a transaction of `owner` with fresh random `state`, `nonce` (when OIDC) and PKCE verifier. */
export function createTransaction(
  owner: TransactionOwner,
  fields: Pick<Transaction, 'redirectUri' | 'scope' | 'maxAge' | 'appState'>,
  now = Date.now(),
): Transaction {
  const isOpenId = fields.scope.split(' ').includes('openid')
  return {
    ...fields,
    issuer: owner.issuer,
    clientId: owner.clientId,
    state: newState(owner.namespace),
    codeVerifier: oauth.generateRandomCodeVerifier(),
    nonce: isOpenId ? oauth.generateRandomNonce() : undefined,
    createdAt: now,
  }
}

/** Persists a transaction under its client, dropping every login abandoned earlier. */
export async function saveTransaction(store: KeyValueStore, owner: TransactionOwner, transaction: Transaction, now = Date.now()) {
  // Any client's: an expired transaction can never complete, whoever made it.
  const abandoned = (await store.entries()).filter(
    ([key, value]) => key.startsWith(keyPrefix) && isExpired(value as Transaction, now),
  )
  await Promise.all(abandoned.map(([key]) => store.delete(key)))
  await store.set(keyOf(owner.namespace, transaction.state), transaction)
}

/**
 * Takes `owner`'s transaction for `state` out of storage, so no one can use it again
 * (RFC 9700 §4.2.4). Another client's transaction is never looked at. Throws `invalid_state`
 * when there is none, it expired, or it names another client.
 */
export async function takeTransaction(store: KeyValueStore, owner: TransactionOwner, state: string | null, now = Date.now()) {
  const transaction = isOwnState(owner.namespace, state)
    ? await store.take<Transaction>(keyOf(owner.namespace, state))
    : undefined
  const valid =
    transaction !== undefined &&
    transaction.issuer === owner.issuer &&
    transaction.clientId === owner.clientId &&
    !isExpired(transaction, now)
  if (!valid) {
    throw new AuthError('invalid_state', 'No login of this browser has this state (used, expired or forged)')
  }
  return transaction
}

/** Deletes the transaction of a login that will not come back (a popup closed, a silent login timed out). */
export const discardTransaction = (store: KeyValueStore, owner: TransactionOwner, state: string) =>
  store.delete(keyOf(owner.namespace, state))

/**
 * Whether a transaction is past its 10 minutes, or dated more than a minute ahead: a script that ran
 * once could plant one dated years ahead, and a link carrying its state and the attacker's code would
 * sign the user in to the attacker's account long after (login CSRF, RFC 9700 §4.7).
 */
function isExpired(transaction: Transaction, now: number) {
  const age = now - transaction.createdAt
  // Negated so that a malformed createdAt (NaN) counts as expired.
  return !(age > -60_000 && age < transactionLifetimeMs)
}
