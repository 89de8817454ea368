'use client'
// The auth state, the user, one call to the provider's API through `pixie-auth/fetch`, and links.
import { createFetch } from 'pixie-auth/fetch'
import { useAuth } from 'pixie-auth/react'
import Link from 'next/link'
import { useEffect, useState } from 'react'
import { ISSUER } from './config'

/** The provider's sample API, on another origin than the app: the token may go there only when allowed. */
function Api() {
  const { client } = useAuth()
  const [message, setMessage] = useState('')
  useEffect(() => {
    let mounted = true
    const authFetch = createFetch(client, { allowedOrigins: [ISSUER] })
    void authFetch(`${ISSUER}/api/me`)
      .then((response) => response.json() as Promise<{ message: string }>)
      .then((body) => mounted && setMessage(body.message))
    return () => {
      mounted = false
    }
  }, [client])
  return <p id="api">{message}</p>
}

export function Status({ api = false }: { api?: boolean }) {
  const { status, user, loginWithRedirect } = useAuth()
  return (
    <>
      <p id="status">{status}</p>
      <p id="user-name">{user ? String(user.name) : ''}</p>
      {api && status === 'authenticated' && <Api />}
      {status === 'unauthenticated' && <button onClick={() => loginWithRedirect()}>Log in</button>}
      <nav>
        <Link href="/">Home</Link> <Link href="/orders">Orders</Link> <Link href="/plain">Plain</Link>
      </nav>
    </>
  )
}
