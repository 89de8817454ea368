// The bench job with keycloak-js against a generic OpenID provider (bundle size only). keycloak-js
// keeps its tokens in memory, so shareAcrossTabs has nothing to choose.
import Keycloak from 'keycloak-js'

export function createJob({ issuer, clientId, redirectUri }) {
  const keycloak = new Keycloak({ clientId, oidcProvider: issuer })
  let started
  const start = () => (started ??= keycloak.init({ pkceMethod: 'S256', checkLoginIframe: false, redirectUri }))
  return {
    start,
    login: () => keycloak.login({ redirectUri }),
    isAuthenticated: async () => {
      await start()
      return keycloak.authenticated === true
    },
    getToken: async () => {
      await keycloak.updateToken(60)
      return keycloak.token
    },
    refresh: async () => {
      await keycloak.updateToken(-1)
      return keycloak.token
    },
    logout: () => keycloak.logout({ redirectUri }),
  }
}
