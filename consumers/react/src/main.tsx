// A React app using the installed package, as a user would.
import { createAuthClient } from 'pixie-auth'
import { createFetch } from 'pixie-auth/fetch'
import { AuthProvider, useAuth } from 'pixie-auth/react'
import { StrictMode, useEffect, useState } from 'react'
import { createRoot } from 'react-dom/client'

const PROVIDER = 'http://127.0.0.1:4010'
const auth = createAuthClient({ issuer: PROVIDER, clientId: 'pixie-e2e', redirectUri: `${location.origin}/` })

/** The provider's sample API, on another origin than the app: the token may go there only when allowed. */
function Api() {
  const { client } = useAuth()
  const [message, setMessage] = useState('')
  useEffect(() => {
    let mounted = true
    const authFetch = createFetch(client, { allowedOrigins: [PROVIDER] })
    void authFetch(`${PROVIDER}/api/me`)
      .then((response) => response.json() as Promise<{ message: string }>)
      .then((body) => mounted && setMessage(body.message))
    return () => {
      mounted = false
    }
  }, [client])
  return <p id="api">{message}</p>
}

function App() {
  const { status, user, loginWithRedirect } = useAuth()
  return (
    <>
      <p id="status">{status}</p>
      <p id="user-name">{user?.name ?? ''}</p>
      {status === 'authenticated' && <Api />}
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
