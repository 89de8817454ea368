// The bench job with oidc-client-ts. Default user store: sessionStorage (one tab);
// shareAcrossTabs: localStorage. No renew timer: refreshes happen when a token is asked for.
import { UserManager, WebStorageStateStore } from 'oidc-client-ts'
import { cleanCallbackUrl, isCallbackUrl } from './callback-url.js'

export function createJob({ issuer, clientId, redirectUri, shareAcrossTabs }) {
  const users = new UserManager({
    authority: issuer,
    client_id: clientId,
    redirect_uri: redirectUri,
    post_logout_redirect_uri: redirectUri,
    scope: 'openid profile offline_access',
    automaticSilentRenew: false,
    revokeTokensOnSignout: true,
    ...(shareAcrossTabs && { userStore: new WebStorageStateStore({ store: localStorage }) }),
  })
  return {
    start: async () => {
      if (!isCallbackUrl()) return
      await users.signinRedirectCallback()
      cleanCallbackUrl()
    },
    login: () => users.signinRedirect(),
    isAuthenticated: async () => {
      const user = await users.getUser()
      return user !== null && !user.expired
    },
    // oidc-client-ts hands out the stored token as it is: refreshing one about to expire is left to
    // the app (or to its renew timer). This uses the 60 s margin the other SDKs apply by default.
    getToken: async () => {
      const user = await users.getUser()
      if (user && user.expires_in > 60) return user.access_token
      return (await users.signinSilent())?.access_token
    },
    refresh: async () => (await users.signinSilent())?.access_token,
    logout: () => users.signoutRedirect(),
  }
}
