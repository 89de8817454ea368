// @vitest-environment happy-dom
// Back from the server's end-session endpoint (RP-Initiated Logout 1.0 §3): the `state` the logout
// sent leaves the address bar once, at its post_logout_redirect_uri, by the client alone; any other
// `state` stays where it is. Real logouts at the mock provider, whose redirect back is read over HTTP.
import { get } from 'node:http'
import { createElement } from 'react'
import { createRoot } from 'react-dom/client'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createApp, h } from 'vue'
import { AuthProvider } from '../src/bindings/react/index.js'
import { createAuth } from '../src/bindings/vue/index.js'
import { createAuthClient, type AuthClient } from '../src/index.js'
import { approvedCallbackUrl, useApprovingProvider, visit } from './mock-provider-login.js'
import { nextTask } from './open-channels.js'

const appOrigin = 'http://localhost:5173'
const byePage = `${appOrigin}/logged-out.html`
const provider = useApprovingProvider()

const clients: AuthClient[] = []
afterEach(async () => {
  clients.splice(0).forEach((client) => client.dispose())
  await nextTask()
})

/** A client on a freshly loaded page: clients of earlier pages are gone, as a navigation leaves them. */
async function newPage(url: string, clientId = 'pixie-demo') {
  clients.splice(0).forEach((client) => client.dispose())
  await nextTask()
  visit(url)
  const client = createAuthClient({
    issuer: provider().url,
    clientId,
    redirectUri: `${appOrigin}/`,
    postLogoutRedirectUri: byePage,
    scope: 'openid profile offline_access',
  })
  clients.push(client)
  return client
}

/** Where the provider sends the browser after `url`, its end-session request. */
const redirectOf = (url: string) =>
  new Promise<string>((resolve, reject) => {
    get(url, (response) => {
      response.resume()
      resolve(response.headers.location!)
    }).on('error', reject)
  })

/** Logs in, logs out, and returns the URL the provider sends the browser back to, with its state. */
async function logoutReturnUrl(): Promise<string> {
  const client = await newPage(`${appOrigin}/`)
  visit(await approvedCallbackUrl(client))
  await client.handleRedirectCallback()
  const assign = vi.spyOn(location, 'assign').mockImplementation(() => {})
  try {
    await client.logout()
    const back = await redirectOf(String(assign.mock.calls[0]![0]))
    expect(back).toMatch(new RegExp(`^${byePage}\\?state=[\\w-]+\\.[\\w-]{40,}$`))
    return back
  } finally {
    assign.mockRestore()
  }
}

/** Loads `url` with a client that only subscribes (as every binding does), and lets it settle. */
async function arrive(url: string, clientId?: string) {
  const client = await newPage(url, clientId)
  client.subscribe(() => {})
  await client.isAuthenticated()
  await new Promise((resolve) => setTimeout(resolve, 20))
  return location.href
}

describe('the way back from end-session', () => {
  it("removes the logout's own state from the address bar, once", async () => {
    const back = await logoutReturnUrl()
    expect(await arrive(back)).toBe(byePage)
    // Replayed (history, a bookmark): spent, so left as it is.
    expect(await arrive(back)).toBe(back)
  })

  it('leaves a forged state of this client in the address bar, and the real one still works after it', async () => {
    const back = await logoutReturnUrl()
    const forged = `${byePage}?state=${new URL(back).searchParams.get('state')!.split('.')[0]}.forged-by-someone-else`
    expect(await arrive(forged)).toBe(forged)
    expect(await arrive(back)).toBe(byePage)
  })

  it("leaves another client's state alone, and elsewhere than post_logout_redirect_uri", async () => {
    const back = await logoutReturnUrl()
    // Another client of the origin finds the state as the server sent it.
    expect(await arrive(back, 'pixie-e2e')).toBe(back)
    // The right state on another page is not a return from this logout.
    const elsewhere = back.replace('/logged-out.html', '/other.html')
    expect(await arrive(elsewhere)).toBe(elsewhere)
    expect(await arrive(back)).toBe(byePage)
  })

  it('leaves a login response alone: a state with a code is for handleRedirectCallback()', async () => {
    const back = await logoutReturnUrl()
    const withCode = `${back}&code=abc`
    expect(await arrive(withCode)).toBe(withCode)
  })

  it('keeps the other query parameters and the hash', async () => {
    const back = await logoutReturnUrl()
    expect(await arrive(`${back}&lang=fr#top`)).toBe(`${byePage}?lang=fr#top`)
  })
})

describe('the bindings clean it by themselves, with no code in the app', () => {
  it('React: <AuthProvider> on the page the server sent the browser back to', async () => {
    const back = await logoutReturnUrl()
    const client = await newPage(back)
    const root = createRoot(document.body.appendChild(document.createElement('div')))
    try {
      root.render(createElement(AuthProvider, { client }, 'app'))
      await vi.waitFor(() => expect(location.href).toBe(byePage))
    } finally {
      root.unmount()
    }
  })

  it('Vue: the createAuth() plugin on the page the server sent the browser back to', async () => {
    const back = await logoutReturnUrl()
    const client = await newPage(back)
    const app = createApp({ render: () => h('p', 'app') }).use(createAuth({ client }))
    try {
      app.mount(document.body.appendChild(document.createElement('div')))
      await vi.waitFor(() => expect(location.href).toBe(byePage))
    } finally {
      app.unmount()
    }
  })
})
