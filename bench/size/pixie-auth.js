// The bench job with pixie-auth. Every adapter in this folder exports the same createJob():
// settings { issuer, clientId, redirectUri, shareAcrossTabs } → { start, login, isAuthenticated,
// getToken, refresh, logout }. pixie-auth always keeps its session where all tabs see it.
// `options`: more client options (pixie-auth-isolation.js passes token isolation).
import { createAuthClient } from 'pixie-auth'

export function createJob({ issuer, clientId, redirectUri }, options = {}) {
  const auth = createAuthClient({ issuer, clientId, redirectUri, postLogoutRedirectUri: redirectUri, ...options })
  return {
    start: async () => {
      if (auth.isRedirectCallback()) await auth.handleRedirectCallback()
    },
    login: () => auth.loginWithRedirect(),
    isAuthenticated: () => auth.isAuthenticated(),
    // What a UI renders from: the state, known at once on a reload from the start-up hint, while
    // isAuthenticated() waits for IndexedDB. The peers' adapters have none: their answer is the same.
    stateKnown: async () => {
      let unsubscribe
      await new Promise((resolve) => {
        unsubscribe = auth.subscribe((state) => state.status !== 'loading' && resolve())
        if (auth.getState().status !== 'loading') resolve()
      })
      unsubscribe()
    },
    getToken: () => auth.getAccessToken(),
    refresh: () => auth.getAccessToken({ forceRefresh: true }),
    logout: () => auth.logout(),
  }
}
