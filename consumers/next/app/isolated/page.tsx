'use client'
// A page with token isolation, unconfigured: Next.js emits the worker (Turbopack in `next build`),
// and when the server prerenders this page nothing of the worker runs (it starts on first use, in
// the browser). Its own client, so the sessions of the rest of the app stay in IndexedDB.
import { createAuthClient } from 'pixie-auth'
import { tokenIsolation } from 'pixie-auth/isolation'
import { AuthProvider } from 'pixie-auth/react'
import { CLIENT_ID, ISSUER } from '../config'
import { Status } from '../status'

const auth = createAuthClient({ issuer: ISSUER, clientId: CLIENT_ID, redirectUri: '/isolated', postLogoutRedirectUri: '/', isolation: tokenIsolation() })

export default function Isolated() {
  return (
    <AuthProvider client={auth}>
      <main>
        <h1>Isolated</h1>
        <Status api />
      </main>
    </AuthProvider>
  )
}
