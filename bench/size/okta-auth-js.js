// The bench job with @okta/okta-auth-js (bundle size only: it expects Okta's endpoint paths).
import { OktaAuth } from '@okta/okta-auth-js'

export function createJob({ issuer, clientId, redirectUri, shareAcrossTabs }) {
  const okta = new OktaAuth({
    issuer,
    clientId,
    redirectUri,
    postLogoutRedirectUri: redirectUri,
    scopes: ['openid', 'profile', 'offline_access'],
    pkce: true,
    tokenManager: { storage: shareAcrossTabs ? 'localStorage' : 'sessionStorage', autoRenew: false },
  })
  return {
    start: async () => {
      if (okta.isLoginRedirect()) await okta.storeTokensFromRedirect()
    },
    login: () => okta.signInWithRedirect(),
    isAuthenticated: () => okta.isAuthenticated(),
    getToken: () => okta.getOrRenewAccessToken(),
    refresh: async () => (await okta.tokenManager.renew('accessToken'))?.accessToken,
    logout: () => okta.signOut(),
  }
}
