import * as oauth from 'oauth4webapi'
import { AuthError } from './errors.js'
import type { KeyValueStore } from './storage.js'

/**
 * What a login must remember across the redirect (RFC 7636 verifier, RFC 6749 `state`, OIDC
 * `nonce`), stored under its `state` so several tabs can log in at once.
 */
export interface Transaction {
  state: string
  codeVerifier: string
  nonce?: string
  redirectUri: string
  scope: string
  /** The `max_age` sent, so `auth_time` can be checked (OIDC Core §3.1.2.1). */
  maxAge?: number
  appState?: unknown
  /** The server metadata travels with the transaction: the callback then needs no discovery. */
  metadata: oauth.AuthorizationServer
  createdAt: number
}

/** A login that has not come back after this long is abandoned. */
export const transactionLifetimeMs = 10 * 60 * 1000

const keyPrefix = 'tx:'

/** Creates a transaction with fresh random `state`, `nonce` (when OIDC) and PKCE verifier. */
export function createTransaction(
  fields: Pick<Transaction, 'redirectUri' | 'scope' | 'maxAge' | 'appState' | 'metadata'>,
  now = Date.now(),
): Transaction {
  const isOpenId = fields.scope.split(' ').includes('openid')
  return {
    ...fields,
    state: oauth.generateRandomState(),
    codeVerifier: oauth.generateRandomCodeVerifier(),
    nonce: isOpenId ? oauth.generateRandomNonce() : undefined,
    createdAt: now,
  }
}

/** Persists a transaction, dropping the ones abandoned earlier. */
export async function saveTransaction(store: KeyValueStore, transaction: Transaction, now = Date.now()) {
  const abandoned = (await store.entries()).filter(
    ([key, value]) => key.startsWith(keyPrefix) && isExpired(value as Transaction, now),
  )
  await Promise.all(abandoned.map(([key]) => store.delete(key)))
  await store.set(keyPrefix + transaction.state, transaction)
}

/**
 * Takes the transaction for `state` out of storage, so no one can use it again (RFC 9700 §4.2.4).
 * Throws `invalid_state` when there is none or it expired.
 */
export async function takeTransaction(store: KeyValueStore, state: string | null, now = Date.now()) {
  const transaction = state ? await store.take<Transaction>(keyPrefix + state) : undefined
  if (!transaction || isExpired(transaction, now)) {
    throw new AuthError(
      'invalid_state',
      'This callback does not match a login started in this browser, or it was already used or expired',
    )
  }
  return transaction
}

/** Deletes the transaction of a login that will not come back (a popup closed, a silent login timed out). */
export const discardTransaction = (store: KeyValueStore, state: string) => store.delete(keyPrefix + state)

function isExpired(transaction: Transaction, now: number) {
  // Negated so that a malformed createdAt (NaN) counts as expired.
  return !(now - transaction.createdAt < transactionLifetimeMs)
}
