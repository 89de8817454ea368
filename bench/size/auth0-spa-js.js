// The bench job with auth0-spa-js, configured as its docs advise for refresh tokens. Default
// cache: memory (one tab); shareAcrossTabs: localStorage, its only cache other tabs can read.
import { Auth0Client } from '@auth0/auth0-spa-js'
import { cleanCallbackUrl, isCallbackUrl } from './callback-url.js'

export function createJob({ issuer, clientId, redirectUri, shareAcrossTabs }) {
  const auth0 = new Auth0Client({
    domain: issuer,
    clientId,
    useRefreshTokens: true,
    cacheLocation: shareAcrossTabs ? 'localstorage' : 'memory',
    authorizationParams: { redirect_uri: redirectUri },
  })
  return {
    // What createAuth0Client() does on load, plus the callback: auth0-spa-js leaves detecting it to the app.
    start: async () => {
      if (!isCallbackUrl()) return auth0.checkSession()
      await auth0.handleRedirectCallback()
      cleanCallbackUrl()
    },
    login: () => auth0.loginWithRedirect(),
    isAuthenticated: () => auth0.isAuthenticated(),
    getToken: () => auth0.getTokenSilently(),
    refresh: () => auth0.getTokenSilently({ cacheMode: 'off' }),
    logout: () => auth0.logout({ logoutParams: { returnTo: redirectUri } }),
  }
}
