// A framework-free app using the installed package, as a user would, with token isolation and no
// bundler configuration: the same file is built by Vite (`vite build`, and served by `vite dev`) and
// by webpack 5 (consumers/webpack; scripts/consumers.mjs strips its types first).
import { createAuthClient, type AuthState } from 'pixie-auth'
import { createFetch } from 'pixie-auth/fetch'
import { sessionScope, tokenIsolation } from 'pixie-auth/isolation'

const PROVIDER = 'http://127.0.0.1:4010'
const auth = createAuthClient({ issuer: PROVIDER, clientId: 'pixie-e2e', redirectUri: `${location.origin}/`, isolation: tokenIsolation() })
// The provider's sample API is on another origin than the app: the token may go there only when allowed.
const authFetch = createFetch(auth, { allowedOrigins: [PROVIDER] })

const root = document.getElementById('app')!
const status = root.appendChild(document.createElement('p'))
const name = root.appendChild(document.createElement('p'))
const api = root.appendChild(document.createElement('p'))
const scope = root.appendChild(document.createElement('p'))
const login = root.appendChild(document.createElement('button'))
status.id = 'status'
name.id = 'user-name'
api.id = 'api'
scope.id = 'scope'
login.textContent = 'Log in'
login.onclick = () => auth.loginWithRedirect()

let apiCalled = false
async function callApi() {
  // The access token came from the worker (a message round trip); the request is the page's.
  const response = await authFetch(`${PROVIDER}/api/me`)
  api.textContent = ((await response.json()) as { message: string }).message
  scope.textContent = await sessionScope(auth)
}

function render({ status: current, user, error }: AuthState) {
  status.textContent = error ? `${current}: ${error.code}` : current
  name.textContent = user?.name ?? ''
  login.hidden = current !== 'unauthenticated'
  if (current === 'authenticated' && !apiCalled) {
    apiCalled = true
    void callApi()
  }
}
auth.subscribe(render)
render(auth.getState())

if (auth.isRedirectCallback()) void auth.handleRedirectCallback()
