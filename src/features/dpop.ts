import * as oauth from 'oauth4webapi'
import { AuthError } from '../core/errors.js'
import type { Plugin, PluginContext } from '../core/options.js'
import type { DPoPFeature } from '../core/plugins.js'
import { withRefreshLock } from '../core/refresh-lock.js'
import type { KeyValueStore } from '../core/storage.js'

/**
 * The stored key: a CryptoKeyPair survives structured cloning into IndexedDB with its private key
 * still non-extractable, so no script (nor an XSS) can ever read it out, only use it. `id` tells
 * the tabs apart the key pairs they hold in memory, since CryptoKey objects cannot be compared.
 */
interface StoredKey {
  keyPair: CryptoKeyPair
  id: string
}

const keyPrefix = 'dpop:'
const algorithm = 'ES256'

async function loadStoredKey(store: KeyValueStore, namespace: string): Promise<StoredKey> {
  const key = keyPrefix + namespace
  const existing = await store.get<StoredKey>(key)
  if (existing) return existing
  // Two tabs may find no key at the same moment; each creates one under an exclusive lock and
  // re-reads inside it, so both end up with the same key and no code is bound to a lost one.
  return withRefreshLock(`pixie-auth-dpop:${namespace}`, async () => {
    const stored = await store.get<StoredKey>(key)
    if (stored) return stored
    const created = {
      keyPair: await oauth.generateKeyPair(algorithm, { extractable: false }),
      id: oauth.generateRandomState(),
    }
    await store.set(key, created)
    return created
  })
}

/**
 * The DPoP key of one client, with the oauth4webapi handle that signs proofs and remembers the
 * servers' nonces (RFC 9449 §8, §9).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9449.html#section-8
 */
export interface DPoPKeys {
  /**
   * The handle to pass as oauth4webapi's `DPoP` option, for the current key; creates the key on
   * first use. Its proofs are dated `clockSkew` seconds ahead of this browser's clock (the server's
   * clock, measured with the session), since a server that asks for no nonce judges a proof by its
   * `iat` alone (RFC 9449 §11.1). The same handle is returned while the key and the skew stay the
   * same, so learnt nonces are kept.
   */
  handle(clockSkew?: number): Promise<oauth.DPoPHandle>
  /** Deletes the key (at logout), so the next login binds its tokens to a new one. */
  discard(): Promise<void>
}

/**
 * The DPoP key pair (RFC 9449 §2) of the client named `namespace`, kept in `store`: a
 * non-extractable ES256 key created on first use and shared by every tab of the origin.
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
      // Read every time: another tab may have logged out and replaced the key since.
      const { keyPair, id } = await loadStoredKey(store, namespace)
      // oauth4webapi reads the skew once, when the handle is made.
      if (current?.id !== id || current.clockSkew !== clockSkew) {
        current = { id, clockSkew, handle: oauth.DPoP({ [oauth.clockSkew]: clockSkew }, keyPair) }
      }
      return current.handle
    },
    async discard() {
      current = undefined
      await store.delete(keyPrefix + namespace)
    },
  }
}

/**
 * Binds the authorization code to the DPoP key with `dpop_jkt` (RFC 9449 §10): a code stolen from
 * the redirect cannot be redeemed without the key. Fails closed with `config_error` when the
 * server's metadata does not say it accepts ES256 DPoP proofs (`dpop_signing_alg_values_supported`,
 * RFC 9449 §5.1): asking for DPoP never ends in Bearer tokens.
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
  url.searchParams.set('dpop_jkt', await (await dpop.handle()).calculateThumbprint())
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
 * without DPoP counts as none. A new key is made after `logout()`.
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
    sender: (clockSkew) => async (send) => {
      const handle = await keys.handle(clockSkew)
      return withDPoPNonceRetry(() => send({ DPoP: handle, recognizedTokenTypes: boundTokensOnly }))
    },
    bindCode: (url, metadata) => bindAuthorizationCode(url, metadata, keys),
  }
}
