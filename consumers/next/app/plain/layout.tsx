// A server layout rendering <AuthProvider> itself, with plain (serializable) props: the React
// binding is a client module ('use client'), and the redirect URI a path resolved in the browser.
import { AuthProvider } from 'pixie-auth/react'
import type { ReactNode } from 'react'
import { CLIENT_ID, ISSUER } from '../config'

export default function PlainLayout({ children }: { children: ReactNode }) {
  return (
    <AuthProvider issuer={ISSUER} clientId={CLIENT_ID} redirectUri="/callback">
      {children}
    </AuthProvider>
  )
}
