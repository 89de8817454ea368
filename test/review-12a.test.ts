// @vitest-environment happy-dom
// Outside review of issue 12 (the modular core): attacks on what the split may have opened, through
// the public entries, against the real mock provider.
import { afterEach, describe, expect, it } from 'vitest'
import { createAuthClient, type AuthClient, type AuthClientOptions } from '../src/index.js'
import { readSession } from '../src/core/session.js'
import { browserStore } from '../src/core/storage.js'
import { dpop } from '../src/dpop.js'
import { approvedCallbackUrl, useApprovingProvider, visit } from './mock-provider-login.js'
import { nextTask } from './open-channels.js'

const appOrigin = 'http://localhost:5173'
const provider = useApprovingProvider()
const clients: AuthClient[] = []
afterEach(async () => {
  for (const client of clients.splice(0)) client.dispose()
  await nextTask()
})
const track = <T extends AuthClient>(client: T) => (clients.push(client), client)

/** The mock's metadata, as if it accepted ES256 proofs (it still issues Bearer tokens). */
async function metadataClaimingDPoP() {
  const metadata = await (await fetch(`${provider().url}/.well-known/openid-configuration`)).json()
  return { ...metadata, dpop_signing_alg_values_supported: ['ES256'] }
}

const options = (): AuthClientOptions => ({
  issuer: provider().url,
  clientId: 'pixie-demo',
  redirectUri: `${appOrigin}/`,
  scope: 'openid offline_access',
})

/** Logs `client` in at the mock (which issues Bearer tokens). */
async function logIn(client: AuthClient) {
  visit(`${appOrigin}/`)
  visit(await approvedCallbackUrl(client))
  await client.handleRedirectCallback()
}

describe('dpop(): a Bearer session counts as none, also when another tab shares it', () => {
  it('a tab without dpop() (an old build, open across the deploy that switched DPoP on) logs in: the dpop() tab hands out no Bearer token', async () => {
    const withDPoP = track(createAuthClient({ ...options(), metadata: await metadataClaimingDPoP(), dpop: dpop() }))
    expect(await withDPoP.isAuthenticated()).toBe(false)
    // The other tab: same issuer and client ID, so same lock, channel and stored session; no DPoP.
    const oldBuild = track(createAuthClient(options()))
    await logIn(oldBuild)
    const bearer = await oldBuild.getAccessToken()
    await new Promise((resolve) => setTimeout(resolve, 50))

    const answer = await withDPoP.getAccessToken().then(
      (token) => (token === bearer ? 'the Bearer token' : 'another token'),
      (error: unknown) => error,
    )
    expect(answer).toMatchObject({ name: 'AuthError', code: 'login_required' })
    expect(withDPoP.getState().status).not.toBe('authenticated')
    expect(await withDPoP.isAuthenticated()).toBe(false)
  })

  it('the same from a tab whose SDK predates versions (its messages carry none)', async () => {
    const withDPoP = track(createAuthClient({ ...options(), metadata: await metadataClaimingDPoP(), dpop: dpop() }))
    expect(await withDPoP.isAuthenticated()).toBe(false)
    const oldBuild = track(createAuthClient(options()))
    await logIn(oldBuild)
    const bearer = await oldBuild.getAccessToken()
    const namespace = `${new URL(provider().url).href}#pixie-demo`
    const { session } = await readSession(browserStore(), namespace)
    expect(session?.accessToken).toBe(bearer)
    const channel = new BroadcastChannel(`pixie-auth:${namespace}`)
    channel.postMessage({ type: 'session', session })
    channel.close()
    await new Promise((resolve) => setTimeout(resolve, 50))

    expect(withDPoP.getState().status).not.toBe('authenticated')
    await expect(withDPoP.getAccessToken()).rejects.toMatchObject({ code: 'login_required' })
  })
})
