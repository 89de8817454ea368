'use client'
// The Next.js setup the README gives: a client made at module scope (Next prerenders this module on
// the server, where there is no `location`: the redirect URI is a path), and <AuthProvider> going
// back to the page the login started from through the App Router, which does not see
// history.replaceState (restoreReturnTo's default).
import { createAuthClient, returnToPath } from 'pixie-auth'
import { AuthProvider } from 'pixie-auth/react'
import { useRouter } from 'next/navigation'
import type { ReactNode } from 'react'
import { CLIENT_ID, ISSUER } from '../config'

export const auth = createAuthClient({ issuer: ISSUER, clientId: CLIENT_ID, redirectUri: '/callback', postLogoutRedirectUri: '/' })

export function Auth({ children }: { children: ReactNode }) {
  const router = useRouter()
  return (
    <AuthProvider client={auth} onRedirectCallback={(appState) => router.replace(returnToPath(appState, location.origin) ?? '/')}>
      {children}
    </AuthProvider>
  )
}
