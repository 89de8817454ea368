// The provider's sample API, on another origin than the app, called with `createFetch` from the
// `pixie-auth/fetch` entry: the token may go there only when allowed. scripts/consumers.mjs copies
// this file into each React app (React, Next.js).
import { createFetch } from 'pixie-auth/fetch'
import { useAuth } from 'pixie-auth/react'
import { useEffect, useState } from 'react'

export function Api({ provider }: { provider: string }) {
  const { client } = useAuth()
  const [message, setMessage] = useState('')
  useEffect(() => {
    let mounted = true
    const authFetch = createFetch(client, { allowedOrigins: [provider] })
    void authFetch(`${provider}/api/me`)
      .then((response) => response.json() as Promise<{ message: string }>)
      .then((body) => mounted && setMessage(body.message))
    return () => {
      mounted = false
    }
  }, [client, provider])
  return <p id="api">{message}</p>
}
