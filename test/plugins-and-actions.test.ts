// The modular API's edges, through the public entries: plug-in options that are not plug-ins, a
// resource asked for without resourceIndicators(), and the actions (createFetch, loginWithPopup,
// fetchUser) given something that is not a client made by createAuthClient().
import { describe, expect, it, vi } from 'vitest'
import { AuthError, createAuthClient, type AuthClient, type AuthClientOptions } from '../src/index.js'
import { dpop } from '../src/dpop.js'
import { createFetch } from '../src/fetch.js'
import { par } from '../src/par.js'
import { loginWithPopup } from '../src/popup.js'
import { resourceIndicators } from '../src/resource.js'
import { silentLogin } from '../src/silent-login.js'
import { fetchUser } from '../src/userinfo.js'
import { fakeClient } from './fake-client.js'
import { approvedCallbackUrl, expectProtectedApiAnswers, useApprovingProvider, usePage } from './mock-provider-login.js'

const appOrigin = 'http://localhost:5173'
const provider = useApprovingProvider()
const track = usePage(appOrigin)
const base = { issuer: 'https://as.example', clientId: 'spa', redirectUri: 'https://app.example/cb' }

async function control(path: string) {
  return (await fetch(`${provider().url}/__control/${path}`)).json()
}

/** A client with a session from a real login at the mock provider. */
async function loggedIn(options: Partial<AuthClientOptions> = {}) {
  const client = track(createAuthClient({ issuer: provider().url, clientId: 'pixie-e2e', redirectUri: `${appOrigin}/callback.html`, ...options }))
  await client.handleRedirectCallback(await approvedCallbackUrl(client))
  return client
}

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  )

describe('a plug-in option given anything but its plug-in', () => {
  it.each([
    ['dpop', true, "dpop() from 'pixie-auth/dpop'"],
    ['par', true, "par() from 'pixie-auth/par'"],
    ['resource', 'https://api.example/', "resourceIndicators() from 'pixie-auth/resource'"],
    ['resource', ['https://api.example/'], "resourceIndicators() from 'pixie-auth/resource'"],
    ['silentLogin', 'iframe', "silentLogin() from 'pixie-auth/silent-login'"],
    ['dpop', { setup: 'not a function' }, "dpop() from 'pixie-auth/dpop'"],
    // Another feature's plug-in, in JavaScript or past a cast: refused at once, not a TypeError at login.
    ['dpop', par(), "dpop() from 'pixie-auth/dpop'"],
    ['par', dpop(), "par() from 'pixie-auth/par'"],
    ['resource', silentLogin(), "resourceIndicators() from 'pixie-auth/resource'"],
    ['silentLogin', resourceIndicators('https://api.example/'), "silentLogin() from 'pixie-auth/silent-login'"],
  ])('%s: %j throws config_error at createAuthClient(), naming the import', (name, value, maker) => {
    const options = { ...base, [name]: value } as unknown as AuthClientOptions
    let thrown: unknown
    try {
      createAuthClient(options)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(AuthError)
    expect(thrown).toMatchObject({ code: 'config_error', message: `${name} takes ${maker}` })
  })

  it.each([
    ['allowedOrigins', ['https://api.example'], 'createFetch(auth, { allowedOrigins })'],
    ['silentRedirectUri', 'https://app.example/silent', 'silentLogin({ redirectUri })'],
    ['silentLoginTimeoutSeconds', 5, 'silentLogin({ timeoutSeconds })'],
  ])('refuses the 0.1 option %s, which moved into a feature, naming where it went', (name, value, replacement) => {
    expect(() => createAuthClient({ ...base, [name]: value } as AuthClientOptions)).toThrow(
      expect.objectContaining({ code: 'config_error', message: expect.stringContaining(replacement) }),
    )
  })

  it('leaves the plug-in options that are left out alone', () => {
    const options = { ...base, dpop: undefined, par: undefined, resource: undefined, silentLogin: undefined }
    expect(() => createAuthClient(options).dispose()).not.toThrow()
  })
})

describe('getAccessToken({ resource }) without resourceIndicators()', () => {
  it('is a config_error naming it; no token request, the session kept', async () => {
    const client = await loggedIn()
    const before = (await control('stats')).tokenRequests.total
    const error = await rejection(client.getAccessToken({ resource: 'https://api.example/' }))
    expect(error).toBeInstanceOf(AuthError)
    expect(error).toMatchObject({ code: 'config_error', message: expect.stringContaining('resourceIndicators()') })
    expect((await control('stats')).tokenRequests.total).toBe(before)
    expect(await client.isAuthenticated()).toBe(true)
    expect(typeof (await client.getAccessToken())).toBe('string')
  })
  it('is a config_error even without a session: the call is wrong whatever the state', async () => {
    const client = createAuthClient(base)
    const error = await rejection(client.getAccessToken({ resource: 'https://api.example/' }))
    expect(error).toMatchObject({ code: 'config_error', message: expect.stringContaining('resourceIndicators()') })
    client.dispose()
  })
})

describe('the actions, given something that is not a client made by createAuthClient()', () => {
  // An object with every method of a client, and a plain object.
  const notClients = () => [fakeClient({ status: 'authenticated' }).client, {} as AuthClient]

  it('createFetch: the request rejects with config_error, nothing is sent', async () => {
    const fetchSpy = vi.fn(fetch)
    vi.stubGlobal('fetch', fetchSpy)
    for (const notClient of notClients()) {
      const error = await rejection(createFetch(notClient)(`${appOrigin}/api/orders`))
      expect(error).toBeInstanceOf(AuthError)
      expect(error).toMatchObject({ code: 'config_error' })
    }
    expect(fetchSpy).not.toHaveBeenCalled()
  })

  it('loginWithPopup: rejects with config_error, no popup opened', async () => {
    const open = vi.fn()
    vi.stubGlobal('window', { open })
    for (const notClient of notClients()) {
      const error = await rejection(loginWithPopup(notClient))
      expect(error).toBeInstanceOf(AuthError)
      expect(error).toMatchObject({ code: 'config_error' })
    }
    expect(open).not.toHaveBeenCalled()
  })

  it('fetchUser: rejects with config_error', async () => {
    for (const notClient of notClients()) {
      const error = await rejection(fetchUser(notClient))
      expect(error).toBeInstanceOf(AuthError)
      expect(error).toMatchObject({ code: 'config_error' })
    }
  })
})

describe('createFetch options', () => {
  it.each([['https://api.example/'], ['https://api.example/v1'], ['https://*.example'], ['api.example'], ['ftp://api.example']])(
    'allowedOrigins %s throws config_error at once, naming it',
    (origin) => {
      const client = track(createAuthClient(base))
      expect(() => createFetch(client, { allowedOrigins: [origin] })).toThrow(
        expect.objectContaining({ name: 'AuthError', code: 'config_error', message: expect.stringContaining(origin) }),
      )
    },
  )

  it('allowedOrigins that is not a list throws config_error at once', () => {
    const client = track(createAuthClient(base))
    expect(() => createFetch(client, { allowedOrigins: 'https://api.example' as unknown as string[] })).toThrow(
      expect.objectContaining({ code: 'config_error' }),
    )
  })

  it('sends the token to an allowed origin, and nothing to any other', async () => {
    const client = await loggedIn()
    await expectProtectedApiAnswers(client, provider())

    const before = (await control('stats')).apiRequests
    const error = await rejection(createFetch(client)(`${provider().url}/api/me`))
    expect(error).toMatchObject({ code: 'config_error', message: expect.stringContaining(new URL(provider().url).origin) })
    expect((await control('stats')).apiRequests).toBe(before)
  })
})

describe('createFetch and resourceIndicators()', () => {
  // (One resource: the mock refuses a repeated authorization parameter, as two resources would be.)
  it("sends the token to a configured resource's origin without allowedOrigins (RFC 8707)", async () => {
    const client = await loggedIn({ resource: resourceIndicators(`${provider().url}/`) })
    const refreshes = (await control('stats')).tokenRequests.refresh_token
    const response = await createFetch(client)(`${provider().url}/api/me`)
    const { tokenSuffix } = await response.json()
    // The resource is the session's own token's: no other one was asked for.
    expect((await client.getAccessToken()).endsWith(tokenSuffix)).toBe(true)
    expect((await control('stats')).tokenRequests.refresh_token).toBe(refreshes)
  })
})

describe('fetchUser', () => {
  it("merges UserInfo's claims into the stored user, which getUser() then reads; undefined when logged out", async () => {
    const client = await loggedIn()
    expect((await client.getUser())?.nickname).toBeUndefined()
    const claims = { sub: 'user-ada', nickname: 'Countess' }
    await fetch(`${provider().url}/__control/faults`, {
      method: 'POST',
      body: JSON.stringify([{ endpoint: 'userinfo', type: 'body', status: 200, body: claims }]),
    })
    expect(await fetchUser(client)).toMatchObject({ sub: 'user-ada', name: 'Ada Lovelace', nickname: 'Countess' })
    expect(await client.getUser()).toMatchObject({ sub: 'user-ada', name: 'Ada Lovelace', nickname: 'Countess' })

    await client.logout({ localOnly: true })
    expect(await fetchUser(client)).toBeUndefined()
  })
})
