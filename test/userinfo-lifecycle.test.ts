// fetchUser() and the client's lifecycle, in Node (oauth4webapi's UserInfo request needs Node's
// URL, which happy-dom replaces): a page is a stubbed window and document. A client disposed of
// while a call is under way stays closed, and a tab never holds a version (see `SessionRecord`)
// without the session written with it, so a late message from another tab still counts.
import { createStore, set } from 'idb-keyval'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createAuthClient, type AuthClient } from '../src/index.js'
import { createFetch } from '../src/fetch.js'
import { fetchUser } from '../src/userinfo.js'
import { approvedCallbackUrl, controlProvider, fromAnotherTab, useApprovingProvider, usePage } from './mock-provider-login.js'
import { nextTask } from './open-channels.js'

const appOrigin = 'http://localhost:5173'
const provider = useApprovingProvider()
const track = usePage(appOrigin)

/** The page's listeners for `online` that were added and not removed. */
let onlineListeners = 0
beforeEach(() => {
  onlineListeners = 0
  const page = new EventTarget()
  const add = page.addEventListener.bind(page)
  const remove = page.removeEventListener.bind(page)
  page.addEventListener = (type: string, ...rest: [never, never?]) => {
    if (type === 'online') onlineListeners += 1
    add(type, ...rest)
  }
  page.removeEventListener = (type: string, ...rest: [never, never?]) => {
    if (type === 'online') onlineListeners -= 1
    remove(type, ...rest)
  }
  vi.stubGlobal('window', page)
  vi.stubGlobal('document', Object.assign(new EventTarget(), { visibilityState: 'visible' }))
})
// Before usePage() takes the page away (hooks run in reverse): the last dispose() closes on the next task.
let client: AuthClient | undefined
afterEach(async () => {
  client?.dispose()
  client = undefined
  await nextTask()
})

const namespace = () => `${new URL(provider().url).href}#pixie-demo`

const control = (path: string, body?: unknown) => controlProvider(provider(), path, body)

async function loggedIn(): Promise<AuthClient> {
  await control('reset', { config: { autoApprove: true } })
  client = track(
    createAuthClient({ issuer: provider().url, clientId: 'pixie-demo', redirectUri: `${appOrigin}/`, scope: 'openid offline_access' }),
  )
  await client.handleRedirectCallback(await approvedCallbackUrl(client))
  expect(client.getState().status).toBe('authenticated')
  return client
}


describe('fetchUser() and the lifecycle of the client', () => {
  it('a client disposed of while fetchUser() waits for UserInfo leaves no online listener behind', async () => {
    const auth = await loggedIn()
    await auth.getAccessToken()
    expect(onlineListeners).toBe(1)
    await control('faults', [{ endpoint: 'userinfo', type: 'delay', delayMs: 300 }])
    const pending = fetchUser(auth)
    await new Promise((resolve) => setTimeout(resolve, 100))
    auth.dispose()
    await nextTask()
    expect(onlineListeners).toBe(0)
    expect((await pending)?.sub).toBe('user-ada')
    expect(onlineListeners).toBe(0)
  })

  it('a client disposed of before fetchUser() asked it for the access token stays closed', async () => {
    const auth = await loggedIn()
    await auth.getAccessToken()
    expect(onlineListeners).toBe(1)
    const pending = fetchUser(auth)
    auth.dispose()
    expect((await pending)?.sub).toBe('user-ada')
    await nextTask()
    expect(onlineListeners).toBe(0)
  })

  it('a client disposed of while createFetch() sends a request, and resends it with a refreshed token, stays closed', async () => {
    const auth = await loggedIn()
    const first = await auth.getAccessToken()
    expect(onlineListeners).toBe(1)
    // The API refuses the first token: the request is sent again with a refreshed one.
    await control('faults', [{ endpoint: 'api', type: 'status', status: 401, headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } }])
    const pending = createFetch(auth, { allowedOrigins: [provider().url] })(`${provider().url}/api/me`)
    auth.dispose()
    const answer = await (await pending).json()
    expect(answer).toMatchObject({ sub: 'user-ada', message: 'hello from the protected API' })
    expect(answer.tokenSuffix).not.toBe(first.slice(-6))
    await nextTask()
    expect(onlineListeners).toBe(0)
  })

  it('takes a logout announced after fetchUser() read the store', async () => {
    const auth = await loggedIn()
    await auth.getAccessToken()
    // Another tab logged out: its deletion is stored, its message still on the way.
    const deleted = Date.now() + 60_000
    await set(`session:${namespace()}`, { version: deleted }, createStore('pixie-auth', 'kv'))
    await fetchUser(auth)
    await fromAnotherTab(provider(), 'pixie-demo', { type: 'ended', version: deleted, reason: 'logout' })
    expect(auth.getState().status).toBe('unauthenticated')
    await expect(auth.getAccessToken()).rejects.toMatchObject({ code: 'login_required' })
  })
})
