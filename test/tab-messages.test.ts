// @vitest-environment happy-dom
// What a client does with the other tabs' messages: versions decide, and a tab still running an
// SDK from before versions (open across a deploy) is still heard.
import { afterEach, describe, expect, it } from 'vitest'
import { createAuthClient, type AuthClient } from '../src/index.js'
import { approvedCallbackUrl, useApprovingProvider, visit } from './mock-provider-login.js'
import { nextTask } from './open-channels.js'

const appOrigin = 'http://localhost:5173'
const provider = useApprovingProvider()
let auth: AuthClient | undefined
afterEach(async () => {
  auth?.dispose()
  await nextTask()
})

async function loggedInClient() {
  auth = createAuthClient({ issuer: provider().url, clientId: 'pixie-demo', redirectUri: `${appOrigin}/`, scope: 'openid offline_access' })
  visit(`${appOrigin}/`)
  visit(await approvedCallbackUrl(auth))
  await auth.handleRedirectCallback()
  expect(auth.getState().status).toBe('authenticated')
  return auth
}

/** Sends `message` as another tab would, on the client's channel. */
async function fromAnotherTab(message: unknown) {
  const channel = new BroadcastChannel(`pixie-auth:${new URL(provider().url).href}#pixie-demo`)
  channel.postMessage(message)
  channel.close()
  await new Promise((resolve) => setTimeout(resolve, 50))
}

describe('messages from other tabs', () => {
  it('ignores a logout older than the session this tab holds, and takes a newer one', async () => {
    const client = await loggedInClient()
    await fromAnotherTab({ type: 'ended', version: 0, reason: 'logout' })
    expect(client.getState().status).toBe('authenticated')
    await fromAnotherTab({ type: 'ended', version: Date.now() + 1000, reason: 'logout' })
    expect(client.getState().status).toBe('unauthenticated')
  })

  it('takes the news of a tab that sends no version (an SDK from before versions)', async () => {
    const client = await loggedInClient()
    await fromAnotherTab({ type: 'ended', reason: 'logout' })
    expect(client.getState().status).toBe('unauthenticated')
    // And versions still work afterwards.
    await fromAnotherTab({ type: 'ended', version: 0, reason: 'invalid_grant' })
    expect(client.getState().error).toBeUndefined()
  })
})
