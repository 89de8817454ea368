// @vitest-environment happy-dom
// Which page is whose callback: detection by the redirect URI's origin and path and by the client
// that made the login, several clients on one origin, and responses that come back elsewhere.
import { afterEach, describe, expect, it } from 'vitest'
import { isAtRedirectUri } from '../src/core/callback-url.js'
import { createAuthClient, handleRedirectCallbackOnce, type AuthClient } from '../src/index.js'
import { approvedCallbackUrl, codeRedemptions, useApprovingProvider, visit } from './mock-provider-login.js'

const appOrigin = 'http://localhost:5173'
const provider = useApprovingProvider()
// Clients with equal options share one instance in a page: each test lets go of its own.
const clients: AuthClient[] = []
afterEach(async () => {
  clients.splice(0).forEach((client) => client.dispose())
  // The last user closes a shared instance on the next task.
  await new Promise((resolve) => setTimeout(resolve))
})
const clientFor = (clientId: string, redirectUri = `${appOrigin}/callback.html`) => {
  const client = createAuthClient({ issuer: provider().url, clientId, redirectUri, scope: 'openid profile' })
  clients.push(client)
  return client
}
const settled = async (client: ReturnType<typeof clientFor>) => {
  await client.isAuthenticated()
  return client.getState()
}

describe('isAtRedirectUri', () => {
  const at = (url: string, redirectUri: string) => isAtRedirectUri(new URL(url), redirectUri)

  it("needs the redirect URI's own query parameters, with their values, beside the response's", () => {
    const redirectUri = `${appOrigin}/callback?provider=a`
    expect(at(`${appOrigin}/callback?provider=a&code=c&state=s`, redirectUri)).toBe(true)
    expect(at(`${appOrigin}/callback?code=c&provider=a&state=s&scope=openid`, redirectUri)).toBe(true)
    expect(at(`${appOrigin}/callback?provider=b&code=c&state=s`, redirectUri)).toBe(false)
    expect(at(`${appOrigin}/callback?code=c&state=s`, redirectUri)).toBe(false)
    expect(at(`${appOrigin}/callback?provider=a&provider=b&code=c&state=s`, redirectUri)).toBe(false)
    expect(at(`${appOrigin}/callback?provider=a,b&code=c`, `${appOrigin}/callback?provider=a&provider=b`)).toBe(false)
    expect(at(`${appOrigin}/other?provider=a&code=c`, redirectUri)).toBe(false)
  })
})

describe('callback detection (origin and path of the redirect URI)', () => {
  it('a crafted link with code and state to another page of the app is no callback: URL and state left alone', async () => {
    const crafted = `${appOrigin}/stores?code=x&state=y`
    visit(crafted)
    const client = clientFor('pixie-e2e')
    expect(client.isRedirectCallback()).toBe(false)
    expect(await handleRedirectCallbackOnce(client)).toBeUndefined()
    expect(await settled(client)).toEqual({ status: 'unauthenticated', user: undefined, error: undefined })
    expect(location.href).toBe(crafted)
  })

  it("a real response carried to another path, or another client's redirect URI, is not this client's callback", async () => {
    visit(`${appOrigin}/`)
    const client = clientFor('pixie-e2e')
    const callbackUrl = new URL(await approvedCallbackUrl(client))
    expect(client.isRedirectCallback(callbackUrl.href)).toBe(true)
    for (const path of ['/stores', '/callback.html/', '/CALLBACK.html', '/other-callback.html']) {
      expect(client.isRedirectCallback(`${appOrigin}${path}${callbackUrl.search}`), path).toBe(false)
    }
    expect(client.isRedirectCallback(`http://localhost:5174/callback.html${callbackUrl.search}`)).toBe(false)
  })

  it("handleRedirectCallback() with a response that came back to another path rejects it without redeeming the code", async () => {
    visit(`${appOrigin}/`)
    const client = clientFor('pixie-e2e')
    const callbackUrl = new URL(await approvedCallbackUrl(client))
    const before = await codeRedemptions(provider())
    await expect(client.handleRedirectCallback(`${appOrigin}/stores${callbackUrl.search}`)).rejects.toMatchObject({
      code: 'invalid_response',
    })
    expect(await codeRedemptions(provider())).toBe(before)
    // The login was used up: the response is never redeemed, not even at its right place.
    await expect(client.handleRedirectCallback(callbackUrl.href)).rejects.toMatchObject({ code: 'invalid_state' })
    expect(await codeRedemptions(provider())).toBe(before)
  })
})

describe('two clients on one origin, one redirect URI', () => {
  it("each completes its own login; neither consumes, cleans or errors on the other's callback", async () => {
    visit(`${appOrigin}/`)
    const a = clientFor('pixie-e2e')
    const b = clientFor('pixie-demo')
    const callbackA = await approvedCallbackUrl(a)
    const callbackB = await approvedCallbackUrl(b)

    // B's response arrives: A sees no callback of its own and leaves everything as it is.
    visit(callbackB)
    expect(a.isRedirectCallback()).toBe(false)
    expect(b.isRedirectCallback()).toBe(true)
    await expect(a.handleRedirectCallback()).rejects.toMatchObject({ code: 'invalid_state' })
    expect(location.href).toBe(callbackB)
    expect(a.getState().error).toBeUndefined()
    expect(await b.handleRedirectCallback()).toMatchObject({ user: { sub: 'user-ada', aud: 'pixie-demo' } })
    expect(b.getState().status).toBe('authenticated')
    expect(location.href).toBe(`${appOrigin}/callback.html`)

    // A's own login, started before B's, still completes.
    visit(callbackA)
    expect(b.isRedirectCallback()).toBe(false)
    expect(await a.handleRedirectCallback()).toMatchObject({ user: { sub: 'user-ada', aud: 'pixie-e2e' } })
    expect(a.getState().status).toBe('authenticated')
    expect(b.getState().error).toBeUndefined()
  })
})
