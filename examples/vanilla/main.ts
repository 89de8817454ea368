import { AuthError, createAuthClient, type AuthState } from 'pixie-auth'
import { createDemoPanel } from '../demo-panel/panel'

const issuer = 'http://127.0.0.1:4010'
const demoPanel = createDemoPanel({ issuer, clientId: 'pixie-demo' })
const auth = createAuthClient({
  issuer,
  clientId: 'pixie-demo',
  redirectUri: `${location.origin}/`,
  postLogoutRedirectUri: `${location.origin}/`,
  fetch: demoPanel.fetch, // only for the demo's live panel; leave it out in your app
})
demoPanel.mount(auth)

const $ = (id: string) => document.getElementById(id)!
const show = (text: string) => Object.assign($('output'), { hidden: false, textContent: text })

function render(state: AuthState) {
  $('status').textContent = state.error ? `${state.status} (${state.error.code}: ${state.error.message})` : state.status
  $('signed-out').hidden = state.status !== 'unauthenticated'
  $('signed-in').hidden = state.status !== 'authenticated'
  $('name').textContent = state.user?.name ?? state.user?.sub ?? ''
}

auth.subscribe(render)
render(auth.getState())

$('login').onclick = () => auth.loginWithRedirect({ appState: { returnTo: location.pathname } })
$('logout').onclick = () => auth.logout()
$('call-api').onclick = async () => {
  try {
    const token = await auth.getAccessToken()
    const response = await fetch(`${issuer}/api/me`, { headers: { Authorization: `Bearer ${token}` } })
    show(JSON.stringify(await response.json(), null, 2))
  } catch (error) {
    show(error instanceof AuthError ? `${error.code}: ${error.message}` : String(error))
  }
}

if (auth.isRedirectCallback()) {
  auth.handleRedirectCallback().catch((error: AuthError) => show(`${error.code}: ${error.message}`))
}
