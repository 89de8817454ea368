// A framework-free app using the installed package, as a user would.
import { createAuthClient, type AuthState } from 'pixie-auth'
import { createFetch } from 'pixie-auth/fetch'

const PROVIDER = 'http://127.0.0.1:4010'
const auth = createAuthClient({ issuer: PROVIDER, clientId: 'pixie-e2e', redirectUri: `${location.origin}/` })
// The provider's sample API is on another origin than the app: the token may go there only when allowed.
const authFetch = createFetch(auth, { allowedOrigins: [PROVIDER] })

const root = document.getElementById('app')!
const status = root.appendChild(document.createElement('p'))
const name = root.appendChild(document.createElement('p'))
const api = root.appendChild(document.createElement('p'))
const login = root.appendChild(document.createElement('button'))
status.id = 'status'
name.id = 'user-name'
api.id = 'api'
login.textContent = 'Log in'
login.onclick = () => auth.loginWithRedirect()

let apiCalled = false
async function callApi() {
  const response = await authFetch(`${PROVIDER}/api/me`)
  api.textContent = ((await response.json()) as { message: string }).message
}

function render({ status: current, user }: AuthState) {
  status.textContent = current
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
