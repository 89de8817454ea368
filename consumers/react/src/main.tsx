// A React app using the installed package, as a user would.
import { createAuthClient } from 'pixie-auth'
import { AuthProvider, useAuth } from 'pixie-auth/react'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { Api } from '../api.js'

const PROVIDER = 'http://127.0.0.1:4010'
const auth = createAuthClient({ issuer: PROVIDER, clientId: 'pixie-e2e', redirectUri: `${location.origin}/` })

function App() {
  const { status, user, loginWithRedirect } = useAuth()
  return (
    <>
      <p id="status">{status}</p>
      <p id="user-name">{user?.name ?? ''}</p>
      {status === 'authenticated' && <Api provider={PROVIDER} />}
      {status === 'unauthenticated' && <button onClick={() => loginWithRedirect()}>Log in</button>}
    </>
  )
}

createRoot(document.getElementById('app')!).render(
  <StrictMode>
    <AuthProvider client={auth}>
      <App />
    </AuthProvider>
  </StrictMode>,
)
