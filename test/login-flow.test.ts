// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest'
import { AuthError } from '../src/core/errors.js'
import { ensureAuthenticated, handleRedirectCallbackOnce } from '../src/core/guards.js'
import { deferred, fakeClient } from './fake-client.js'

describe('handleRedirectCallbackOnce', () => {
  it('handles the callback once per client, however often it is called, and shares the result', async () => {
    const { client } = fakeClient({ status: 'loading' }, { isCallback: true, callback: async () => ({ appState: 7 }) })
    const results = await Promise.all([handleRedirectCallbackOnce(client), handleRedirectCallbackOnce(client)])
    expect(await handleRedirectCallbackOnce(client)).toEqual({ appState: 7 })
    expect(results).toEqual([{ appState: 7 }, { appState: 7 }])
    expect(client.handleRedirectCallback).toHaveBeenCalledTimes(1)
  })

  it('does nothing when the page is not a callback', async () => {
    const { client } = fakeClient({ status: 'loading' }, { isCallback: false })
    expect(await handleRedirectCallbackOnce(client)).toBeUndefined()
    expect(client.handleRedirectCallback).not.toHaveBeenCalled()
  })

  it('with skip, waits for a state the client knows at once, inside subscribe() itself (as the start-up hint answers)', async () => {
    const { client, setState } = fakeClient({ status: 'loading' }, { isCallback: true })
    const subscribe = client.subscribe.getMockImplementation()!
    client.subscribe.mockImplementation((listener) => {
      const unsubscribe = subscribe(listener)
      setState({ status: 'authenticated' })
      return unsubscribe
    })
    await expect(handleRedirectCallbackOnce(client, { skip: true })).resolves.toBeUndefined()
    expect(client.handleRedirectCallback).not.toHaveBeenCalled()
  })

  it('resolves undefined when the login fails (the state carries the error)', async () => {
    const { client } = fakeClient({ status: 'loading' }, {
      isCallback: true,
      callback: () => Promise.reject(new AuthError('invalid_state', 'used')),
    })
    await expect(handleRedirectCallbackOnce(client)).resolves.toBeUndefined()
  })
})

describe('ensureAuthenticated', () => {
  it('resolves true with a session, without starting a login', async () => {
    const { client } = fakeClient({ status: 'authenticated' })
    expect(await ensureAuthenticated(client, '/orders')).toBe(true)
    expect(client.loginWithRedirect).not.toHaveBeenCalled()
  })

  it('starts one login that returns to the path, shared by concurrent callers', async () => {
    const { client } = fakeClient({ status: 'unauthenticated' })
    const results = await Promise.all([ensureAuthenticated(client, '/orders?page=2'), ensureAuthenticated(client, '/other')])
    expect(results).toEqual([false, false])
    expect(client.loginWithRedirect).toHaveBeenCalledTimes(1)
    expect(client.loginWithRedirect).toHaveBeenCalledWith({ appState: { returnTo: '/orders?page=2' } })
  })

  it('starts a new login when the session has ended (login_required)', async () => {
    const { client } = fakeClient({ status: 'unauthenticated', error: new AuthError('login_required', 'ended') })
    expect(await ensureAuthenticated(client, '/')).toBe(false)
    expect(client.loginWithRedirect).toHaveBeenCalledTimes(1)
  })

  it('starts a new login after invalid_state: a replayed, expired or crafted callback is no dead end', async () => {
    const { client } = fakeClient({ status: 'unauthenticated', error: new AuthError('invalid_state', 'no such login') })
    expect(await ensureAuthenticated(client, '/')).toBe(false)
    expect(client.loginWithRedirect).toHaveBeenCalledTimes(1)
  })

  it('does not send the user round the server again after a failed login', async () => {
    const denied = new AuthError('oauth_error', 'access_denied', { error: 'access_denied' })
    const { client } = fakeClient({ status: 'unauthenticated', error: denied })
    expect(await ensureAuthenticated(client, '/')).toBe(false)
    expect(client.loginWithRedirect).not.toHaveBeenCalled()
  })

  it('waits for a pending redirect callback instead of starting another login', async () => {
    const callback = deferred<{ appState?: unknown }>()
    const { client, setState } = fakeClient({ status: 'unauthenticated' }, { isCallback: true, callback: () => callback.promise })
    const result = ensureAuthenticated(client, '/orders')
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(client.loginWithRedirect).not.toHaveBeenCalled()
    setState({ status: 'authenticated' })
    callback.resolve({})
    expect(await result).toBe(true)
    expect(client.loginWithRedirect).not.toHaveBeenCalled()
  })

  it('rejects when the login cannot start, and lets the next call try again', async () => {
    const { client } = fakeClient({ status: 'unauthenticated' })
    client.loginWithRedirect.mockRejectedValueOnce(new AuthError('network_error', 'offline'))
    await expect(ensureAuthenticated(client, '/')).rejects.toMatchObject({ code: 'network_error' })
    expect(await ensureAuthenticated(client, '/')).toBe(false)
    expect(client.loginWithRedirect).toHaveBeenCalledTimes(2)
  })
})
