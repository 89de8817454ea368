// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest'
import { createStore, del, keys } from 'idb-keyval'
import { createAuthClient, type AuthClient } from '../src/index.js'
import { dpop } from '../src/dpop.js'
import { par } from '../src/par.js'
import { resourceIndicators } from '../src/resource.js'
import { silentLogin } from '../src/silent-login.js'
import { approvedCallbackUrl, useApprovingProvider, visit } from './mock-provider-login.js'
import { countOpenChannels, nextTask } from './open-channels.js'

const appOrigin = 'http://localhost:5173'
const provider = useApprovingProvider()
const openChannels = countOpenChannels()
const made: AuthClient[] = []
afterEach(async () => {
  for (const client of made.splice(0)) client.dispose()
  await nextTask()
})

const options = () => ({ issuer: provider().url, clientId: 'pixie-demo', redirectUri: `${appOrigin}/`, scope: 'openid offline_access' })
function client(extra: Record<string, unknown> = {}) {
  const auth = createAuthClient({ ...options(), ...extra })
  made.push(auth)
  return auth
}

async function logIn(auth: AuthClient) {
  visit(`${appOrigin}/`)
  visit(await approvedCallbackUrl(auth))
  await auth.handleRedirectCallback()
}

async function refreshRequests(): Promise<number> {
  const response = await fetch(`${provider().url}/__control/stats`)
  return ((await response.json()) as { tokenRequests: { refresh_token: number } }).tokenRequests.refresh_token
}

describe('clients made with equal options', () => {
  it('share one state, one channel and one refresh', async () => {
    const first = client()
    const second = client()
    await logIn(first)
    expect(second.getState()).toBe(first.getState())
    const before = await refreshRequests()

    // As two parts of an app do when an API says the token is no longer good.
    const [a, b] = await Promise.all([first.getAccessToken({ forceRefresh: true }), second.getAccessToken({ forceRefresh: true })])

    expect(a).toBe(b)
    expect(await refreshRequests()).toBe(before + 1)
    expect(openChannels()).toBe(1)
  })

  it('keep the channel open until the last one is disposed of, then close it', async () => {
    const first = client()
    const second = client()
    await Promise.all([first.isAuthenticated(), second.isAuthenticated()])
    expect(openChannels()).toBe(1)

    first.dispose()
    await nextTask()
    expect(openChannels()).toBe(1)
    second.dispose()
    await nextTask()
    expect(openChannels()).toBe(0)
  })

  it('reopen after a dispose when used again at once, as on a React StrictMode remount', async () => {
    const auth = client()
    await auth.isAuthenticated()
    auth.dispose()
    expect(await auth.isAuthenticated()).toBe(false)
    await nextTask()
    expect(openChannels()).toBe(1)
  })

  it('share one instance when their plug-ins are made afresh with equal settings, as on a hot module reload', async () => {
    const plugins = () => ({
      dpop: dpop(),
      par: par(),
      resource: resourceIndicators('https://a.example/', 'https://b.example/'),
      silentLogin: silentLogin({ redirectUri: `${appOrigin}/silent.html`, timeoutSeconds: 5 }),
    })
    const first = client(plugins())
    const second = client(plugins())
    await Promise.all([first.isAuthenticated(), second.isAuthenticated()])
    expect(second.getState()).toBe(first.getState())
    expect(openChannels()).toBe(1)
  })

  it('are separate when a plug-in\'s settings differ: other resources, another silent login timeout', async () => {
    const clients = [
      client({ resource: resourceIndicators('https://a.example/') }),
      client({ resource: resourceIndicators('https://a.example/', 'https://b.example/') }),
      client({ resource: resourceIndicators('https://b.example/') }),
      client({ silentLogin: silentLogin({ timeoutSeconds: 5 }) }),
      client({ silentLogin: silentLogin({ timeoutSeconds: 6 }) }),
    ]
    await Promise.all(clients.map((auth) => auth.isAuthenticated()))
    expect(openChannels()).toBe(clients.length)
  })

  it('are separate when the options differ', async () => {
    const first = client()
    const second = client({ refreshLeewaySeconds: 5 })
    await Promise.all([first.isAuthenticated(), second.isAuthenticated()])
    expect(openChannels()).toBe(2)
  })
})

/** A page entering or leaving the back/forward cache (happy-dom's PageTransitionEvent lacks `persisted`). */
const pageTransition = (type: 'pagehide' | 'pageshow') => Object.assign(new Event(type), { persisted: true })

describe('back/forward cache', () => {
  it('closes the channel when the page is hidden, and reads the stored session again when it comes back', async () => {
    const auth = client()
    await logIn(auth)
    expect(openChannels()).toBe(1)

    window.dispatchEvent(pageTransition('pagehide'))
    expect(openChannels(), 'a channel message would evict the page from the cache').toBe(0)
    // Meanwhile another tab logs out: the session is gone from IndexedDB, and no message arrives.
    const store = createStore('pixie-auth', 'kv')
    for (const key of await keys(store)) await del(key, store)
    expect(auth.getState().status).toBe('authenticated')

    window.dispatchEvent(pageTransition('pageshow'))
    await expect.poll(() => auth.getState().status).toBe('unauthenticated')
    expect(openChannels()).toBe(1)
  })
})
