// The bench job with pixie-auth's two dependencies and nothing else: the floor under any SDK built
// on them. Tokens in IndexedDB; no cross-tab lock, no retries, no error mapping.
import { del, get, set } from 'idb-keyval'
import * as oauth from 'oauth4webapi'
import { cleanCallbackUrl, isCallbackUrl } from './callback-url.js'

export function createJob({ issuer, clientId, redirectUri }) {
  const issuerUrl = new URL(issuer)
  const client = { client_id: clientId }
  const auth = oauth.None()
  const http = { [oauth.allowInsecureRequests]: issuerUrl.protocol === 'http:' }
  let discovered
  const server = () =>
    (discovered ??= oauth.discoveryRequest(issuerUrl, http).then((response) => oauth.processDiscoveryResponse(issuerUrl, response)))
  const save = (result, previous) =>
    set('session', {
      accessToken: result.access_token,
      refreshToken: result.refresh_token ?? previous?.refreshToken,
      idToken: result.id_token ?? previous?.idToken,
      expiresAt: Date.now() + (result.expires_in ?? 0) * 1000,
    })
  const refresh = async () => {
    const as = await server()
    const session = await get('session')
    const response = await oauth.refreshTokenGrantRequest(as, client, auth, session.refreshToken, http)
    await save(await oauth.processRefreshTokenResponse(as, client, response), session)
    return (await get('session')).accessToken
  }
  return {
    start: async () => {
      if (!isCallbackUrl()) return
      const as = await server()
      const { state, nonce, verifier } = await get('transaction')
      await del('transaction')
      const params = oauth.validateAuthResponse(as, client, new URL(location.href), state)
      cleanCallbackUrl()
      const response = await oauth.authorizationCodeGrantRequest(as, client, auth, params, redirectUri, verifier, http)
      await save(await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce, requireIdToken: true }))
    },
    login: async () => {
      const as = await server()
      const transaction = { state: oauth.generateRandomState(), nonce: oauth.generateRandomNonce(), verifier: oauth.generateRandomCodeVerifier() }
      await set('transaction', transaction)
      const url = new URL(as.authorization_endpoint)
      url.search = new URLSearchParams({
        client_id: clientId,
        redirect_uri: redirectUri,
        response_type: 'code',
        scope: 'openid profile offline_access',
        state: transaction.state,
        nonce: transaction.nonce,
        code_challenge: await oauth.calculatePKCECodeChallenge(transaction.verifier),
        code_challenge_method: 'S256',
      }).toString()
      location.assign(url)
    },
    isAuthenticated: async () => (await get('session')) !== undefined,
    getToken: async () => {
      const session = await get('session')
      return session.expiresAt - 60_000 > Date.now() ? session.accessToken : refresh()
    },
    refresh,
    logout: async () => {
      const as = await server()
      const session = await get('session')
      await del('session')
      await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, auth, session.refreshToken, http))
      const url = new URL(as.end_session_endpoint)
      url.search = new URLSearchParams({ client_id: clientId, id_token_hint: session.idToken, post_logout_redirect_uri: redirectUri }).toString()
      location.assign(url)
    },
  }
}
