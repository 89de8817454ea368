// A server layout around the app's pages: the client component does the auth.
import type { ReactNode } from 'react'
import { Auth } from './auth'

export default function AppLayout({ children }: { children: ReactNode }) {
  return <Auth>{children}</Auth>
}
