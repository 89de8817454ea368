import { createAuthClient } from 'pixie-auth'

/** The mock OpenID provider that `npm run demo` starts; it also serves the protected API. */
export const issuer = 'http://127.0.0.1:4010'

export const auth = createAuthClient({
  issuer,
  clientId: 'pixie-demo',
  redirectUri: `${location.origin}/`,
  postLogoutRedirectUri: `${location.origin}/`,
  allowedOrigins: [issuer], // the protected API lives there too: auth.fetch() sends the token to it
})
