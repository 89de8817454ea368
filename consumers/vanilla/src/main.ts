// A framework-free app using the installed package, as a user would.
import { createAuthClient, type AuthState } from 'pixie-auth'

const auth = createAuthClient({ issuer: 'http://127.0.0.1:4010', clientId: 'pixie-e2e', redirectUri: `${location.origin}/` })

const root = document.getElementById('app')!
const status = root.appendChild(document.createElement('p'))
const name = root.appendChild(document.createElement('p'))
const login = root.appendChild(document.createElement('button'))
status.id = 'status'
name.id = 'user-name'
login.textContent = 'Log in'
login.onclick = () => auth.loginWithRedirect()

function render({ status: current, user }: AuthState) {
  status.textContent = current
  name.textContent = user ? String(user.name) : ''
  login.hidden = current !== 'unauthenticated'
}
auth.subscribe(render)
render(auth.getState())

if (auth.isRedirectCallback()) void auth.handleRedirectCallback()
