// Real logins for the binding tests: the mock provider approves them over HTTP, and the page's
// navigation to it is intercepted. Node's http module reads the redirect, which fetch hides.
import { get } from 'node:http'
import { IDBFactory } from 'fake-indexeddb'
import { afterAll, afterEach, beforeAll, beforeEach, expect, onTestFinished, vi } from 'vitest'
import { startMockProvider } from '../e2e/provider/mock-provider.mjs'
import { createAuthClient, type AuthClient, type AuthClientOptions } from '../src/index.js'
import { createFetch } from '../src/fetch.js'
import { nextTask } from './open-channels.js'

export type MockProvider = Awaited<ReturnType<typeof startMockProvider>>

/**
 * For a test file: a mock provider that approves every login, started before its tests and closed
 * after, and a fresh, empty IndexedDB for each test's clients. Returns the running provider.
 */
export function useApprovingProvider(): () => MockProvider {
  let provider: MockProvider
  beforeAll(async () => {
    provider = await startMockProvider({ port: 0, config: { autoApprove: true } })
  })
  afterAll(() => provider.close())
  beforeEach(() => {
    globalThis.indexedDB = new IDBFactory()
  })
  return () => provider
}

function httpGet(url: string): Promise<{ location?: string; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => (body += chunk))
      response.on('end', () => resolve({ location: response.headers.location, body }))
    }).on('error', reject)
  })
}

/** Starts a login with `client` and returns the callback URL the provider redirects back to. */
export async function approvedCallbackUrl(client: AuthClient, appState?: unknown): Promise<string> {
  const assign = vi.spyOn(location, 'assign').mockImplementation(() => {})
  try {
    await client.loginWithRedirect({ appState })
    const { location: callbackUrl } = await httpGet(String(assign.mock.calls[0]![0]))
    return callbackUrl!
  } finally {
    assign.mockRestore()
  }
}

/**
 * The callback URL of a login of `client` that the user refused on the provider's page: the
 * provider's own answer to its Deny button (`error=access_denied` with the login's `state` and
 * `iss`, no code), made from the approved one.
 */
export async function refusedCallbackUrl(client: AuthClient, appState?: unknown): Promise<string> {
  const url = new URL(await approvedCallbackUrl(client, appState))
  url.searchParams.delete('code')
  url.searchParams.set('error', 'access_denied')
  url.searchParams.set('error_description', 'the user denied the request')
  return url.href
}

/**
 * Puts the page at `url`, where a script that ran once left a forged start-up hint ('1') for a
 * client of `provider` that has no stored session. Returns a fresh client (options of its own, so
 * it reads the hint where the test file's other clients have settled) whose logins are only
 * recorded; the hint and the client go when the test ends.
 */
export function clientWithForgedHint(provider: MockProvider, url: string) {
  visit(url)
  const options = { issuer: provider.url, clientId: 'pixie-demo', redirectUri: `${new URL(url).origin}/`, scope: 'openid email' }
  const hintKey = `pixie-auth:signed-in:${new URL(options.issuer).href}#${options.clientId}`
  localStorage.setItem(hintKey, '1')
  const client = createAuthClient(options)
  const login = vi.spyOn(client, 'loginWithRedirect').mockResolvedValue()
  onTestFinished(() => {
    localStorage.removeItem(hintKey)
    client.dispose()
  })
  return { client, login }
}

/**
 * The callback URL of a login approved for a client made with `options`, let go of at once: a
 * client made next with equal options (a binding's) finds the login's transaction and redeems it.
 */
export async function approvedCallbackUrlFor(options: AuthClientOptions): Promise<string> {
  const client = createAuthClient(options)
  try {
    return await approvedCallbackUrl(client)
  } finally {
    client.dispose()
  }
}

/**
 * Puts the page at the redirect URI of `options`, then at the callback of a login approved there
 * (see {@link approvedCallbackUrlFor}), for a binding that completes it.
 */
export async function visitApprovedCallback(options: AuthClientOptions) {
  visit(options.redirectUri)
  visit(await approvedCallbackUrlFor(options))
}

/**
 * Expects `createFetch(client)` to call the mock's protected API with the client's access token:
 * only a client made by `createAuthClient()`, with a session, gets an answer.
 */
export async function expectProtectedApiAnswers(client: AuthClient, provider: MockProvider) {
  const authFetch = createFetch(client, { allowedOrigins: [provider.url] })
  const response = await authFetch(`${provider.url}/api/me`)
  expect(await response.json()).toMatchObject({ sub: 'user-ada', message: 'hello from the protected API' })
}

/**
 * For a test file in Node: a page at `appOrigin` (only what a client reads of `location`, and
 * navigation that goes nowhere), and `track`, whose clients are disposed of after each test: each
 * test is a new page, where clients made with equal options would otherwise share one instance.
 */
export function usePage(appOrigin: string): <T extends AuthClient>(client: T) => T {
  const clients: AuthClient[] = []
  beforeEach(() => {
    vi.stubGlobal('location', { href: `${appOrigin}/`, origin: appOrigin, assign: () => {} })
  })
  afterEach(async () => {
    for (const client of clients.splice(0)) client.dispose()
    vi.unstubAllGlobals()
    await nextTask()
  })
  return (client) => {
    clients.push(client)
    return client
  }
}

/** How many authorization codes the provider has redeemed. */
export async function codeRedemptions(provider: MockProvider): Promise<number> {
  const { body } = await httpGet(`${provider.url}/__control/stats`)
  return JSON.parse(body).tokenRequests.authorization_code
}

/** Puts the page at `url`, as a browser that just navigated there. */
export const visit = (url: string) => (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(url)

/** Calls the mock's control API, `/__control/<path>`: a GET, or a POST of `body` as JSON. */
export async function controlProvider(provider: MockProvider, path: string, body?: unknown) {
  const response = await fetch(`${provider.url}/__control/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  expect(response.ok, `control ${path}`).toBe(true)
  return response.json()
}

/** Sends `message` as another tab would, on the channel of the client `clientId` of `provider`. */
export async function fromAnotherTab(provider: MockProvider, clientId: string, message: unknown) {
  const channel = new BroadcastChannel(`pixie-auth:${new URL(provider.url).href}#${clientId}`)
  channel.postMessage(message)
  channel.close()
  await new Promise((resolve) => setTimeout(resolve, 50))
}

/**
 * In happy-dom: logs `client` in as a page does, at its redirect URI `${appOrigin}/`, completing the
 * login on the callback page with `handleRedirectCallback()`.
 */
export async function logInOnPage(client: AuthClient, appOrigin: string) {
  visit(`${appOrigin}/`)
  visit(await approvedCallbackUrl(client))
  await client.handleRedirectCallback()
  expect(client.getState().status).toBe('authenticated')
  return client
}
