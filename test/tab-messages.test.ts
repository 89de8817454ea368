// @vitest-environment happy-dom
// What a client does with the other tabs' messages: versions decide, and a tab still running an
// SDK from before versions (open across a deploy) is still heard.
import { afterEach, describe, expect, it } from 'vitest'
import { createAuthClient, type AuthClient } from '../src/index.js'
import { fromAnotherTab, logInOnPage, useApprovingProvider } from './mock-provider-login.js'
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
  return logInOnPage(auth, appOrigin)
}

/** Sends `message` as another tab would, on the client's channel. */
const fromTab = (message: unknown) => fromAnotherTab(provider(), 'pixie-demo', message)

describe('messages from other tabs', () => {
  it('ignores a logout older than the session this tab holds, and takes a newer one', async () => {
    const client = await loggedInClient()
    await fromTab({ type: 'ended', version: 0, reason: 'logout' })
    expect(client.getState().status).toBe('authenticated')
    await fromTab({ type: 'ended', version: Date.now() + 1000, reason: 'logout' })
    expect(client.getState().status).toBe('unauthenticated')
  })

  it('takes the news of a tab that sends no version (an SDK from before versions)', async () => {
    const client = await loggedInClient()
    await fromTab({ type: 'ended', reason: 'logout' })
    expect(client.getState().status).toBe('unauthenticated')
    // And versions still work afterwards.
    await fromTab({ type: 'ended', version: 0, reason: 'invalid_grant' })
    expect(client.getState().error).toBeUndefined()
  })
})
