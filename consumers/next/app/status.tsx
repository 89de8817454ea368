'use client'
// The auth state, the user, one call to the provider's API through `pixie-auth/fetch`, and links.
import { useAuth } from 'pixie-auth/react'
import Link from 'next/link'
import { Api } from '../api'
import { ISSUER } from './config'

export function Status({ api = false }: { api?: boolean }) {
  const { status, user, loginWithRedirect } = useAuth()
  return (
    <>
      <p id="status">{status}</p>
      <p id="user-name">{user ? String(user.name) : ''}</p>
      {api && status === 'authenticated' && <Api provider={ISSUER} />}
      {status === 'unauthenticated' && <button onClick={() => loginWithRedirect()}>Log in</button>}
      <nav>
        <Link href="/">Home</Link> <Link href="/orders">Orders</Link> <Link href="/plain">Plain</Link>
      </nav>
    </>
  )
}
