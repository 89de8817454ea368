// @vitest-environment happy-dom
// The README's "Testing components without a provider" example, word for word (the last test
// checks that), so the way the README tells users to test their components is known to work.
// orders.test.tsx (vitest, with `environment: 'happy-dom'` or 'jsdom')
import { act } from 'react'
import { createRoot } from 'react-dom/client'
import { expect, it, vi } from 'vitest'
import type { AuthClient, AuthState } from 'pixie-auth'
import { AuthProvider, RequireAuth, useAuth } from 'pixie-auth/react'

// Tells React that act() is in use (@testing-library/react sets it for you).
Object.assign(globalThis, { IS_REACT_ACT_ENVIRONMENT: true })

/** A stand-in for createAuthClient(): a fixed state, and actions that only record their calls. */
function fakeAuthClient(state: AuthState): AuthClient {
  return {
    getState: () => state,
    subscribe: () => () => {},
    isRedirectCallback: () => false,
    handleRedirectCallback: async () => ({}),
    loginWithRedirect: vi.fn(async () => {}),
    logout: vi.fn(async () => {}),
    getAccessToken: async () => 'test-token',
    getUser: async () => state.user,
    isAuthenticated: async () => state.status === 'authenticated',
    dispose: () => {},
  }
}

function Greeting() {
  const { user, logout } = useAuth()
  return <button onClick={() => logout()}>Log out {user?.name}</button>
}

it('greets the signed-in user and logs out', async () => {
  const user = { iss: 'https://login.example.com', aud: 'my-app', sub: 'ada', name: 'Ada', iat: 0, exp: 0 }
  const client = fakeAuthClient({ status: 'authenticated', user })
  const container = document.createElement('div')
  await act(async () => {
    createRoot(container).render(
      <AuthProvider client={client}>
        <RequireAuth><Greeting /></RequireAuth>
      </AuthProvider>,
    )
  })
  expect(container.textContent).toBe('Log out Ada')
  await act(async () => container.querySelector('button')!.click())
  expect(client.logout).toHaveBeenCalled()
})
// End of the README's example.

import { readFileSync } from 'node:fs'

it("is the README's example, word for word", () => {
  // Vitest runs from the repository's root.
  const readme = readFileSync('README.md', 'utf8')
  const source = readFileSync('test/readme-testing-example.test.tsx', 'utf8')
  const shown = source.slice(source.indexOf('// orders.test.tsx'), source.indexOf("// End of the README's example."))
  expect(readme).toContain('```tsx\n' + shown.trimEnd() + '\n```')
})
