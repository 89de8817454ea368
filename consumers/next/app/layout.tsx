// The root layout, a server component: the html and body only. Each part of the app below has its
// own layout with its own <AuthProvider>: (app) through a client component that navigates with the
// router after a login, plain/ straight from a server layout with plain props.
import type { Metadata } from 'next'
import type { ReactNode } from 'react'

// An empty icon: without one, the browser's request for /favicon.ico logs a 404 console error.
export const metadata: Metadata = { title: 'consumer-next', icons: { icon: 'data:,' } }

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  )
}
