import * as oauth from 'oauth4webapi'
import { AuthError } from '../core/errors.js'
import type { Plugin, PluginContext } from '../core/options.js'
import type { DPoPFeature } from '../core/plugins.js'
import type { KeyValueStore } from '../core/storage.js'
import { transactionLifetimeMs } from '../core/transaction.js'

/**
 * A stored key: a CryptoKeyPair survives structured cloning into IndexedDB with its private key
 * still non-extractable, so no script (nor an XSS) can ever read it out, only use it. `id` tells
 * the tabs apart the key pairs they hold in memory, since CryptoKey objects cannot be compared.
 */
interface StoredKey {
  keyPair: CryptoKeyPair
  id: string
}

/** The key of a login under way, until its code is redeemed; `createdAt` lets it expire with the login. */
interface PendingKey extends StoredKey {
  createdAt: number
}

const algorithm = 'ES256'
const currentKeyOf = (namespace: string) => `dpop:${namespace}`
const pendingPrefix = 'dpop-login:'
const pendingKeyOf = (namespace: string, state: string) => `${pendingPrefix}${namespace} ${state}`

/**
 * Whether `stored` holds a key that only this browser can sign with: a non-extractable ECDSA P-256
 * private key for `sign` alone, as `oauth.generateKeyPair()` makes it. A script can write anything
 * to IndexedDB; an extractable key, or another kind, is one whose private half may be known outside.
 * (A key the script imported as non-extractable passes: that is why a login never uses a stored
 * key, see {@link dpopKeys}.)
 */
function isOwnSigningKey(stored: StoredKey | undefined): stored is StoredKey {
  const key = stored?.keyPair?.privateKey
  const { name, namedCurve } = (key?.algorithm ?? {}) as EcKeyAlgorithm
  return (
    key instanceof CryptoKey &&
    !key.extractable &&
    name === 'ECDSA' &&
    namedCurve === 'P-256' &&
    key.usages.join() === 'sign' &&
    typeof stored?.id === 'string'
  )
}

/** Deletes the keys of logins past the transaction lifetime, any client's: they can never complete. */
async function dropAbandonedKeys(store: KeyValueStore, now: number) {
  const abandoned = (await store.entries()).filter(
    ([key, value]) =>
      key.startsWith(pendingPrefix) && !(Math.abs(now - (value as PendingKey)?.createdAt) < transactionLifetimeMs),
  )
  await Promise.all(abandoned.map(([key]) => store.delete(key)))
}

/**
 * The DPoP keys of one client, with the oauth4webapi handles that sign proofs and remember the
 * servers' nonces (RFC 9449 §8, §9).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9449.html#section-8
 */
export interface DPoPKeys {
  /**
   * The handle to pass as oauth4webapi's `DPoP` option, for the current key: the key of the last
   * login that completed, in any tab. Its proofs are dated `clockSkew` seconds ahead of this
   * browser's clock (the server's clock, measured with the session), since a server that asks for
   * no nonce judges a proof by its `iat` alone (RFC 9449 §11.1). The same handle is returned while
   * the key and the skew stay the same, so learnt nonces are kept. Rejects with `login_required`
   * when no key is stored or the stored one fails {@link isOwnSigningKey}: the session's tokens
   * cannot be used, and the next login makes a new key.
   */
  handle(clockSkew?: number): Promise<oauth.DPoPHandle>
  /**
   * Makes a new key for the login of `state` and resolves with its JWK thumbprint (RFC 7638), for
   * `dpop_jkt`. Kept apart until {@link DPoPKeys.redeem} of the same login.
   */
  create(state: string): Promise<string>
  /**
   * Runs the code exchange of the login of `state` with the handle of that login's own key, taken
   * out of storage; once `exchange` resolves (the token response was accepted) the key becomes the
   * current one. Rejects with `invalid_state` when the login has no key (expired, or used).
   */
  redeem<T>(state: string, exchange: (handle: oauth.DPoPHandle) => Promise<T>): Promise<T>
  /** Deletes the current key (at logout): nothing can use the session's tokens any more. */
  discard(): Promise<void>
}

/**
 * The DPoP key pairs (RFC 9449 §2) of the client named `namespace`, kept in `store`: a new
 * non-extractable ES256 key for every login, which becomes the key of every tab of the origin once
 * the login's tokens are received. A login never uses a stored key: a script that ran once on the
 * page and stored a key whose private half it knows breaks the session at most, and never gets the
 * next login's tokens bound to its key (docs/token-isolation-review.md, R1).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9449.html#section-2
 * @example
 * ```ts
 * const dpop = dpopKeys(store, config.namespace)
 * const response = await oauth.protectedResourceRequest(token, 'GET', url, new Headers(), null, {
 *   DPoP: await dpop.handle(session.clockSkew),
 * })
 * ```
 */
export function dpopKeys(store: KeyValueStore, namespace: string): DPoPKeys {
  let current: { id: string; clockSkew: number; handle: oauth.DPoPHandle } | undefined
  return {
    async handle(clockSkew = 0) {
      // Read every time: another tab may have logged in or out since.
      const stored = await store.get<StoredKey>(currentKeyOf(namespace))
      if (!isOwnSigningKey(stored)) throw new AuthError('login_required', 'No usable DPoP key: log in again')
      // oauth4webapi reads the skew once, when the handle is made.
      if (current?.id !== stored.id || current.clockSkew !== clockSkew) {
        current = { id: stored.id, clockSkew, handle: oauth.DPoP({ [oauth.clockSkew]: clockSkew }, stored.keyPair) }
      }
      return current.handle
    },
    async create(state) {
      const now = Date.now()
      await dropAbandonedKeys(store, now)
      const keyPair = await oauth.generateKeyPair(algorithm, { extractable: false })
      await store.set(pendingKeyOf(namespace, state), { keyPair, id: oauth.generateRandomState(), createdAt: now })
      return oauth.DPoP({}, keyPair).calculateThumbprint()
    },
    async redeem(state, exchange) {
      // Taken, like the transaction: whatever the outcome, no second exchange uses it.
      const pending = await store.take<PendingKey>(pendingKeyOf(namespace, state))
      if (!isOwnSigningKey(pending)) throw new AuthError('invalid_state', 'This login has no DPoP key (used or expired)')
      const { keyPair, id } = pending
      const handle = oauth.DPoP({}, keyPair)
      const result = await exchange(handle)
      await store.set(currentKeyOf(namespace), { keyPair, id })
      // The handle that learnt the token endpoint's nonce serves this tab's next requests.
      current = { id, clockSkew: 0, handle }
      return result
    },
    async discard() {
      current = undefined
      await store.delete(currentKeyOf(namespace))
    },
  }
}

/**
 * Binds the authorization code to a new DPoP key with `dpop_jkt` (RFC 9449 §10): a code stolen
 * from the redirect cannot be redeemed without the key. The key is the login's own (`state` in
 * `url`), never a stored one. Fails closed with `config_error` when the server's metadata does not
 * say it accepts ES256 DPoP proofs (`dpop_signing_alg_values_supported`, RFC 9449 §5.1): asking for
 * DPoP never ends in Bearer tokens.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9449.html#section-10
 * @see https://www.rfc-editor.org/rfc/rfc9449.html#section-5.1
 */
export async function bindAuthorizationCode(url: URL, metadata: oauth.AuthorizationServer, dpop: DPoPKeys) {
  const algorithms = metadata.dpop_signing_alg_values_supported
  if (!algorithms) {
    throw new AuthError('config_error', 'dpop is on, but the server metadata has no dpop_signing_alg_values_supported')
  }
  if (!algorithms.includes(algorithm)) {
    throw new AuthError('config_error', `The server does not accept ${algorithm} DPoP proofs`)
  }
  url.searchParams.set('dpop_jkt', await dpop.create(url.searchParams.get('state')!))
}

/**
 * oauth4webapi's `recognizedTokenTypes` for a token response to a request sent with a proof: a
 * `Bearer` token is refused with `invalid_response` before anything is stored, since the server
 * ignored the proof (RFC 9449 §5: a DPoP-bound token has `token_type` `DPoP`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9449.html#section-5
 */
const boundTokensOnly: oauth.RecognizedTokenTypes = {
  bearer() {
    throw new AuthError('invalid_response', 'The server issued a Bearer token where a DPoP-bound one was asked for')
  },
}

/**
 * Runs a token request (request and response processing) and runs it once more when the server
 * asked for a DPoP nonce with `use_dpop_nonce`: the handle has learnt the nonce from that answer
 * (RFC 9449 §8). The server refused the first request without using the code or refresh token.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9449.html#section-8
 */
async function withDPoPNonceRetry<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request()
  } catch (error) {
    if (!oauth.isDPoPNonceError(error)) throw error
    return request()
  }
}

/**
 * Sender-constrained tokens with DPoP (RFC 9449), for the `dpop` option of `createAuthClient()`: a
 * non-extractable ES256 key pair kept in IndexedDB signs a proof for every token request, so a
 * refresh or access token copied out of the browser is useless without the key. The authorization
 * code is bound to the key (`dpop_jkt`); a server whose metadata does not list ES256 in
 * `dpop_signing_alg_values_supported` makes a login reject with `config_error`, and a Bearer answer
 * is refused (`invalid_response`): asking for DPoP never ends in Bearer tokens. A session stored
 * without DPoP counts as none. Every login makes a new key, which its tokens are bound to.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9449.html
 * @example
 * ```ts
 * import { dpop } from 'pixie-auth/dpop'
 * const auth = createAuthClient({ issuer, clientId, redirectUri, dpop: dpop() })
 * ```
 */
export function dpop(): Plugin<DPoPFeature> {
  return Object.freeze({ option: 'dpop', setup: dpopSetup })
}

function dpopSetup({ config, store }: PluginContext): DPoPFeature {
  const keys = dpopKeys(store, config.namespace)
  return {
    ...keys,
    sender: (clockSkew, login) => (send) => {
      const exchange = (handle: oauth.DPoPHandle) =>
        withDPoPNonceRetry(() => send({ DPoP: handle, recognizedTokenTypes: boundTokensOnly }))
      return login === undefined ? keys.handle(clockSkew).then(exchange) : keys.redeem(login, exchange)
    },
    bindCode: (url, metadata) => bindAuthorizationCode(url, metadata, keys),
  }
}
