// The bench job with @azure/msal-browser in its generic OpenID Connect mode (bundle size only:
// MSAL expects Entra ID-shaped authorities, which the mock provider is not).
import { PublicClientApplication } from '@azure/msal-browser'

const scopes = ['openid', 'profile', 'offline_access']

export function createJob({ issuer, clientId, redirectUri, shareAcrossTabs }) {
  const msal = new PublicClientApplication({
    auth: { clientId, authority: issuer, knownAuthorities: [new URL(issuer).host], redirectUri, postLogoutRedirectUri: redirectUri },
    cache: { cacheLocation: shareAcrossTabs ? 'localStorage' : 'sessionStorage' },
    system: { protocolMode: 'OIDC' },
  })
  const ready = msal.initialize()
  const silently = async (forceRefresh) => {
    await ready
    const account = msal.getActiveAccount() ?? msal.getAllAccounts()[0]
    return (await msal.acquireTokenSilent({ scopes, account, forceRefresh })).accessToken
  }
  return {
    start: async () => {
      await ready
      const result = await msal.handleRedirectPromise()
      if (result) msal.setActiveAccount(result.account)
    },
    login: async () => {
      await ready
      await msal.loginRedirect({ scopes })
    },
    isAuthenticated: async () => {
      await ready
      return msal.getAllAccounts().length > 0
    },
    getToken: () => silently(false),
    refresh: () => silently(true),
    logout: async () => {
      await ready
      await msal.logoutRedirect()
    },
  }
}
