import { createAuthClient } from 'pixie-auth'

/** The mock OpenID provider that `npm run demo` starts; it also serves the protected API. */
export const issuer = 'http://127.0.0.1:4010'

export const auth = createAuthClient({
  issuer,
  clientId: 'pixie-demo',
  redirectUri: `${location.origin}/`,
  postLogoutRedirectUri: `${location.origin}/`,
})
