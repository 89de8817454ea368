// Real logins for the binding tests: the mock provider approves them over HTTP, and the page's
// navigation to it is intercepted. Node's http module reads the redirect, which fetch hides.
import { get } from 'node:http'
import { IDBFactory } from 'fake-indexeddb'
import { afterAll, beforeAll, beforeEach, vi } from 'vitest'
import { startMockProvider } from '../e2e/provider/mock-provider.mjs'
import type { AuthClient } from '../src/index.js'

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

/** How many authorization codes the provider has redeemed. */
export async function codeRedemptions(provider: MockProvider): Promise<number> {
  const { body } = await httpGet(`${provider.url}/__control/stats`)
  return JSON.parse(body).tokenRequests.authorization_code
}

/** Puts the page at `url`, as a browser that just navigated there. */
export const visit = (url: string) => (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(url)
