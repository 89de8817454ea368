import { createAuthClient } from 'pixie-auth'
import { createDemoPanel } from '../demo-panel/panel'

/** The mock OpenID provider that `npm run demo` starts; it also serves the protected API. */
export const issuer = 'http://127.0.0.1:4010'

/** The live panel of `npm run demo`; it watches the client's token requests through `fetch`. */
export const demoPanel = createDemoPanel({ issuer, clientId: 'pixie-demo' })

export const auth = createAuthClient({
  issuer,
  clientId: 'pixie-demo',
  redirectUri: `${location.origin}/`,
  postLogoutRedirectUri: `${location.origin}/`,
  fetch: demoPanel.fetch, // only for the panel; leave it out in your app
})
