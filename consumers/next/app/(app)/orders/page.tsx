'use client'
// A protected page: entered without a session, <RequireAuth> logs in and comes back here.
import { RequireAuth, useAuth } from 'pixie-auth/react'

function Orders() {
  const { user } = useAuth()
  return <h1 id="orders">Orders of {String(user?.name)}</h1>
}

export default function OrdersPage() {
  return (
    <main>
      <RequireAuth fallback={<p id="orders-loading">Loading…</p>}>
        <Orders />
      </RequireAuth>
    </main>
  )
}
