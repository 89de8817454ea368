import { AuthError } from 'pixie-auth'
import { createFetch } from 'pixie-auth/fetch'
import { useAuth } from 'pixie-auth/react'
import { useMemo, useState } from 'react'
import { Link, Outlet, useLocation } from 'react-router'
import { issuer } from './auth'

export function Layout() {
  const { status, user, error, loginWithRedirect, logout } = useAuth()
  const { pathname, search, hash } = useLocation()
  return (
    <>
      <h1>pixie-auth · React</h1>
      <nav>
        <Link to="/">Public page</Link>
        <Link to="/protected">Protected page</Link>
      </nav>
      <p>
        Status: <strong id="status">{status}</strong>
        {user && <> · signed in as <strong id="user-name">{user.name ?? user.sub}</strong></>}
      </p>
      {error && <p role="alert">{error.code}: {error.message}</p>}
      {status === 'unauthenticated' && (
        <button onClick={() => loginWithRedirect({ appState: { returnTo: pathname + search + hash } })}>Log in</button>
      )}
      {status === 'authenticated' && <button onClick={() => logout()}>Log out</button>}
      <Outlet />
    </>
  )
}

export function PublicPage() {
  return (
    <>
      <h2>Public page</h2>
      <p>Anyone can see this. The protected page asks you to log in first.</p>
    </>
  )
}

export function ProtectedPage() {
  const { user, client } = useAuth()
  // The protected API lives on the provider's origin: the token may go there too.
  const fetchWithToken = useMemo(() => createFetch(client, { allowedOrigins: [issuer] }), [client])
  const [result, setResult] = useState<string>()

  async function callApi() {
    try {
      // Sends the access token (refreshed when needed) in the Authorization header.
      const response = await fetchWithToken(`${issuer}/api/me`)
      setResult(`HTTP ${response.status}\n${JSON.stringify(await response.json(), null, 2)}`)
    } catch (error) {
      setResult(error instanceof AuthError ? `${error.code}: ${error.message}` : String(error))
    }
  }

  return (
    <>
      <h2>Protected page</h2>
      <p>Only signed-in users get here. Your ID token says:</p>
      <pre id="user-claims">{JSON.stringify({ sub: user?.sub, name: user?.name }, null, 2)}</pre>
      <button onClick={callApi}>Call the API</button>
      {result && <pre id="api-result">{result}</pre>}
    </>
  )
}

/** What `<RequireAuth>` shows after a failed login (the user refused, the server is down). */
export function LoginFailed({ error, retry }: { error: AuthError; retry: () => void }) {
  return (
    <>
      <h2>Login failed</h2>
      <p id="login-failure">Could not log you in: {error.error ?? error.code}.</p>
      <button onClick={retry}>Try again</button>
    </>
  )
}
