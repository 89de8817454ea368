// @vitest-environment happy-dom
// The page's connectivity is heard from the client's first call, handleRedirectCallback() too: an
// `offline` event that comes before the first refresh still makes that refresh fail fast.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createAuthClient, type AuthClient } from '../src/index.js'
import { controlProvider, logInOnPage, useApprovingProvider } from './mock-provider-login.js'
import { nextTask } from './open-channels.js'

const appOrigin = 'http://localhost:5173'
const provider = useApprovingProvider()
let auth: AuthClient | undefined
afterEach(async () => {
  auth?.dispose()
  auth = undefined
  vi.restoreAllMocks()
  await nextTask()
})

const control = (path: string, body?: unknown) => controlProvider(provider(), path, body)

/** A client whose only call so far completed a login: the page's first call on a callback page. */
async function loggedInByCallback() {
  await control('reset', { config: { autoApprove: true } })
  auth = createAuthClient({ issuer: provider().url, clientId: 'pixie-demo', redirectUri: `${appOrigin}/`, scope: 'openid offline_access' })
  return logInOnPage(auth, appOrigin)
}


describe('offline before the first refresh', () => {
  it('hears the browser go offline from the first call, handleRedirectCallback() included', async () => {
    const client = await loggedInByCallback()
    // The browser goes offline before the app asks for a token.
    vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false)
    window.dispatchEvent(new Event('offline'))
    await control('faults', [{ endpoint: 'token', grantType: 'refresh_token', type: 'drop', times: 5 }])

    const error = await client.getAccessToken({ forceRefresh: true }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'network_error' })
    // Offline: one try, no backoff, and the state says why.
    expect(client.getState()).toMatchObject({ status: 'authenticated', offline: true })
    expect((await control('stats')).tokenRequests.refresh_token).toBe(1)
  })
})
