// @vitest-environment happy-dom
import { StrictMode, useState, type ReactNode } from 'react'
import { createRoot, type Root } from 'react-dom/client'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { AuthError, createAuthClient } from '../src/index.js'
import { AuthProvider, RequireAuth, useAuth, type AuthProviderProps, type UseAuthResult } from '../src/bindings/react/index.js'
import { ada, expectActionsCall, fakeClient } from './fake-client.js'
import {
  approvedCallbackUrl,
  clientWithForgedHint,
  codeRedemptions,
  expectProtectedApiAnswers,
  refusedCallbackUrl,
  useApprovingProvider,
  visit,
  visitApprovedCallback,
} from './mock-provider-login.js'
import { countOpenChannels, nextTask } from './open-channels.js'

const appOrigin = 'http://localhost:5175'
const provider = useApprovingProvider()
const openChannels = countOpenChannels()
let root: Root | undefined
afterEach(() => {
  root?.unmount()
  root = undefined
})

function render(node: ReactNode) {
  const container = document.createElement('div')
  document.body.append(container)
  root = createRoot(container)
  root.render(node)
  return container
}

const realClient = () =>
  createAuthClient({ issuer: provider().url, clientId: 'pixie-demo', redirectUri: `${appOrigin}/`, scope: 'openid profile' })

/** Renders `props`' provider around a probe; resolves with a reader of the probe's latest `useAuth()`. */
async function renderProbe(props: AuthProviderProps): Promise<() => UseAuthResult> {
  let auth: UseAuthResult | undefined
  function Probe() {
    auth = useAuth()
    return null
  }
  render(
    <AuthProvider {...props}>
      <Probe />
    </AuthProvider>,
  )
  await vi.waitFor(() => expect(auth).toBeDefined())
  return () => auth!
}

function Status() {
  const { status, user } = useAuth()
  return <p>{user ? `${status} as ${String(user.name)}` : status}</p>
}

describe('AuthProvider', () => {
  it('completes the redirect callback once under StrictMode: one code redemption, one onRedirectCallback', async () => {
    visit(`${appOrigin}/`)
    const client = realClient()
    const callbackUrl = await approvedCallbackUrl(client, { returnTo: '/protected?tab=2#top' })
    visit(callbackUrl)
    const redemptionsBefore = await codeRedemptions(provider())
    const onRedirectCallback = vi.fn()

    const page = render(
      <StrictMode>
        <AuthProvider client={client} onRedirectCallback={onRedirectCallback}>
          <Status />
        </AuthProvider>
      </StrictMode>,
    )

    await vi.waitFor(() => expect(page.textContent).toBe('authenticated as Ada Lovelace'))
    await vi.waitFor(() => expect(onRedirectCallback).toHaveBeenCalled())
    expect(onRedirectCallback).toHaveBeenCalledTimes(1)
    expect(onRedirectCallback).toHaveBeenCalledWith({ returnTo: '/protected?tab=2#top' })
    expect(await codeRedemptions(provider())).toBe(redemptionsBefore + 1)
    expect(location.href, 'the code is gone from the address bar').toBe(`${appOrigin}/`)
  })

  it('by default goes back to a same-origin appState.returnTo with history.replaceState', async () => {
    visit(`${appOrigin}/?code=c&state=s`)
    const { client } = fakeClient({ status: 'authenticated' }, {
      isCallback: true,
      callback: async () => ({ appState: { returnTo: '/orders/42?tab=items#top' } }),
    })
    render(<AuthProvider client={client} />)
    await vi.waitFor(() => expect(location.pathname + location.search + location.hash).toBe('/orders/42?tab=items#top'))
  })

  it('by default stays put when appState.returnTo points to another origin', async () => {
    visit(`${appOrigin}/landing`)
    const { client } = fakeClient({ status: 'authenticated' }, {
      isCallback: true,
      callback: async () => ({ appState: { returnTo: '//evil.example/phish' } }),
    })
    render(<AuthProvider client={client} />)
    await vi.waitFor(() => expect(client.handleRedirectCallback).toHaveBeenCalled())
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(location.href).toBe(`${appOrigin}/landing`)
  })

  it('creates its own client from options, and reads the (empty) stored session', async () => {
    visit(`${appOrigin}/`)
    const page = render(
      <AuthProvider issuer={provider().url} clientId="pixie-demo" redirectUri={`${appOrigin}/`}>
        <Status />
      </AuthProvider>,
    )
    await vi.waitFor(() => expect(page.textContent).toBe('unauthenticated'))
  })

  it('disposes of the client it made when it unmounts, and survives StrictMode mounting it twice', async () => {
    visit(`${appOrigin}/`)
    const page = render(
      <StrictMode>
        <AuthProvider issuer={provider().url} clientId="pixie-demo" redirectUri={`${appOrigin}/`}>
          <Status />
        </AuthProvider>
      </StrictMode>,
    )
    await vi.waitFor(() => expect(page.textContent).toBe('unauthenticated'))
    await nextTask()
    expect(openChannels(), 'after the double mount').toBe(1)

    root!.unmount()
    root = undefined
    await nextTask()
    expect(openChannels()).toBe(0)
  })

  it('leaves a client it was given to the app', async () => {
    visit(`${appOrigin}/`)
    const { client } = fakeClient({ status: 'unauthenticated' })
    render(<AuthProvider client={client} />)
    root!.unmount()
    root = undefined
    expect(client.dispose).not.toHaveBeenCalled()
  })

  it('with skipRedirectCallback leaves the callback to the app: nothing redeemed, URL kept, RequireAuth waits', async () => {
    visit(`${appOrigin}/`)
    // Options of its own: clients with equal options share one instance, and the others' is signed in.
    const client = createAuthClient({ issuer: provider().url, clientId: 'pixie-demo', redirectUri: `${appOrigin}/`, scope: 'openid profile email' })
    const callbackUrl = await approvedCallbackUrl(client)
    visit(callbackUrl)
    const redemptionsBefore = await codeRedemptions(provider())
    const page = render(
      <StrictMode>
        <AuthProvider client={client} skipRedirectCallback>
          <RequireAuth fallback={<p>waiting</p>}>
            <Status />
          </RequireAuth>
        </AuthProvider>
      </StrictMode>,
    )
    await vi.waitFor(() => expect(page.textContent).toBe('waiting'))
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(await codeRedemptions(provider())).toBe(redemptionsBefore)
    expect(location.href).toBe(callbackUrl)
    expect(client.getState().status).toBe('loading')

    await client.handleRedirectCallback()
    await vi.waitFor(() => expect(page.textContent).toBe('authenticated as Ada Lovelace'))
    expect(await codeRedemptions(provider())).toBe(redemptionsBefore + 1)
  })
})

describe('useAuth', () => {
  it('re-renders on each state change, and keeps its result object when nothing changed', async () => {
    const { client, setState } = fakeClient({ status: 'loading' })
    const results: UseAuthResult[] = []
    let rerender!: () => void
    function Probe() {
      const [, setTick] = useState(0)
      rerender = () => setTick((tick) => tick + 1)
      results.push(useAuth())
      return <p>{results.at(-1)!.status}</p>
    }
    const page = render(
      <AuthProvider client={client}>
        <Probe />
      </AuthProvider>,
    )
    await vi.waitFor(() => expect(page.textContent).toBe('loading'))
    expect(results.at(-1)).toMatchObject({ isLoading: true, isAuthenticated: false })

    setState({ status: 'authenticated', user: ada })
    await vi.waitFor(() => expect(page.textContent).toBe('authenticated'))
    const signedIn = results.at(-1)!
    expect(signedIn).toMatchObject({ status: 'authenticated', isAuthenticated: true, isLoading: false, user: ada })

    const renders = results.length
    rerender()
    await vi.waitFor(() => expect(results.length).toBeGreaterThan(renders))
    expect(results.at(-1)).toBe(signedIn)

    const ended = new AuthError('login_required', 'ended')
    setState({ status: 'unauthenticated', error: ended })
    await vi.waitFor(() => expect(page.textContent).toBe('unauthenticated'))
    expect(results.at(-1)).toMatchObject({ isAuthenticated: false, error: ended })
  })

  it('while only the start-up hint says signed in: loading, not authenticated, though the status says so for the layout', async () => {
    const { client, setState } = fakeClient({ status: 'authenticated', unconfirmed: true })
    const auth = await renderProbe({ client })
    expect(auth()).toMatchObject({ status: 'authenticated', unconfirmed: true, isAuthenticated: false, isLoading: true })

    setState({ status: 'authenticated', user: ada })
    await vi.waitFor(() => expect(auth()).toMatchObject({ isAuthenticated: true, isLoading: false }))
  })

  it('hands out actions that call the client', async () => {
    const { client } = fakeClient({ status: 'authenticated' })
    const auth = await renderProbe({ client })
    await expectActionsCall(auth(), client)
  })

  it('hands out a client made from options that the features take: createFetch sends its token', async () => {
    const options = { issuer: provider().url, clientId: 'pixie-demo', redirectUri: `${appOrigin}/`, scope: 'openid profile' }
    await visitApprovedCallback(options)
    const auth = await renderProbe(options)
    await vi.waitFor(() => expect(auth().isAuthenticated).toBe(true))

    // (fetchUser is not tried here: happy-dom's two URL classes trip oauth4webapi's UserInfo request.)
    await expectProtectedApiAnswers(auth().client, provider())
  })

  it('says where it must be used when there is no provider', () => {
    function Orphan() {
      useAuth()
      return null
    }
    const onError = vi.fn()
    const container = document.createElement('div')
    root = createRoot(container, { onUncaughtError: onError })
    root.render(<Orphan />)
    return vi.waitFor(() => expect(onError.mock.calls[0]?.[0]).toMatchObject({ message: 'useAuth() must be used inside <AuthProvider>' }))
  })
})

describe('RequireAuth', () => {
  it('under StrictMode, starts one login that returns to the current path, search and hash', async () => {
    visit(`${appOrigin}/protected?tab=2#top`)
    const { client } = fakeClient({ status: 'unauthenticated' })
    const page = render(
      <StrictMode>
        <AuthProvider client={client}>
          <RequireAuth fallback="redirecting">secret</RequireAuth>
        </AuthProvider>
      </StrictMode>,
    )
    await vi.waitFor(() => expect(client.loginWithRedirect).toHaveBeenCalled())
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(client.loginWithRedirect).toHaveBeenCalledTimes(1)
    expect(client.loginWithRedirect).toHaveBeenCalledWith({ appState: { returnTo: '/protected?tab=2#top' } })
    expect(page.textContent).toBe('redirecting')
  })

  it('renders its children for a signed-in user, and nothing else before', async () => {
    const { client, setState } = fakeClient({ status: 'loading' })
    const page = render(
      <AuthProvider client={client}>
        <RequireAuth fallback="checking">secret</RequireAuth>
      </AuthProvider>,
    )
    await vi.waitFor(() => expect(page.textContent).toBe('checking'))
    setState({ status: 'authenticated' })
    await vi.waitFor(() => expect(page.textContent).toBe('secret'))
    expect(client.loginWithRedirect).not.toHaveBeenCalled()
  })

  it('while only the start-up hint says signed in, renders the fallback; the stored session then shows its children', async () => {
    const { client, setState } = fakeClient({ status: 'authenticated', unconfirmed: true })
    const page = render(
      <AuthProvider client={client}>
        <RequireAuth fallback="checking">secret</RequireAuth>
      </AuthProvider>,
    )
    await vi.waitFor(() => expect(page.textContent).toBe('checking'))
    setState({ status: 'authenticated', user: ada })
    await vi.waitFor(() => expect(page.textContent).toBe('secret'))
    expect(client.loginWithRedirect).not.toHaveBeenCalled()
  })

  it('with a forged start-up hint and no stored session, never renders its children, and logs in', async () => {
    const { client, login } = clientWithForgedHint(provider(), `${appOrigin}/protected`)
    const rendered: string[] = []
    function Secret() {
      rendered.push('secret')
      return <p>secret</p>
    }
    const page = render(
      <AuthProvider client={client}>
        <Status />
        <RequireAuth fallback="checking">
          <Secret />
        </RequireAuth>
      </AuthProvider>,
    )
    await vi.waitFor(() => expect(login).toHaveBeenCalledWith({ appState: { returnTo: '/protected' } }))
    expect(page.textContent).toBe('unauthenticatedchecking')
    expect(rendered, 'the protected children rendered on the hint alone').toEqual([])
  })

  it('after a refused login, renders errorFallback with the failure; its retry starts a new login back to this page', async () => {
    visit(`${appOrigin}/`)
    const client = createAuthClient({ issuer: provider().url, clientId: 'pixie-demo', redirectUri: `${appOrigin}/`, scope: 'openid address' })
    visit(await refusedCallbackUrl(client, { returnTo: '/protected' }))
    const login = vi.spyOn(client, 'loginWithRedirect').mockResolvedValue()
    const page = render(
      <AuthProvider client={client}>
        <RequireAuth
          fallback="checking"
          errorFallback={(error, retry) => (
            <button onClick={retry}>
              {error.code} {error.error}: try again
            </button>
          )}
        >
          secret
        </RequireAuth>
      </AuthProvider>,
    )
    await vi.waitFor(() => expect(page.textContent).toBe('oauth_error access_denied: try again'))
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(login, 'no login starts by itself: the user said no').not.toHaveBeenCalled()

    history.replaceState(null, '', '/orders?page=2#top')
    page.querySelector('button')!.click()
    await vi.waitFor(() => expect(login).toHaveBeenCalledWith({ appState: { returnTo: '/orders?page=2#top' } }))
    expect(login).toHaveBeenCalledTimes(1)
    client.dispose()
  })

  it('after a refused login, without errorFallback, keeps its fallback and the failure is in useAuth().error', async () => {
    const { client } = fakeClient({ status: 'unauthenticated', error: new AuthError('oauth_error', 'refused') })
    function Failure() {
      return <>{useAuth().error?.code}</>
    }
    const page = render(
      <AuthProvider client={client}>
        <Failure />
        <RequireAuth fallback=" checking">secret</RequireAuth>
      </AuthProvider>,
    )
    await vi.waitFor(() => expect(page.textContent).toBe('oauth_error checking'))
    expect(client.loginWithRedirect).not.toHaveBeenCalled()
  })

  it('renders its children, not errorFallback, once a login in another tab succeeded', async () => {
    const { client, setState } = fakeClient({ status: 'unauthenticated', error: new AuthError('oauth_error', 'refused') })
    const page = render(
      <AuthProvider client={client}>
        <RequireAuth errorFallback={(error) => error.code}>secret</RequireAuth>
      </AuthProvider>,
    )
    await vi.waitFor(() => expect(page.textContent).toBe('oauth_error'))
    setState({ status: 'authenticated', user: ada })
    await vi.waitFor(() => expect(page.textContent).toBe('secret'))
  })

  it('after a logout on the page hides its children without starting a login (the logout is navigating)', async () => {
    const { client, setState } = fakeClient({ status: 'authenticated' })
    const page = render(
      <AuthProvider client={client}>
        <RequireAuth fallback="signed out">secret</RequireAuth>
      </AuthProvider>,
    )
    await vi.waitFor(() => expect(page.textContent).toBe('secret'))
    setState({ status: 'unauthenticated' })
    await vi.waitFor(() => expect(page.textContent).toBe('signed out'))
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(client.loginWithRedirect).not.toHaveBeenCalled()
  })

  it('starts a new login when the server ends the session while on the page', async () => {
    visit(`${appOrigin}/protected`)
    const { client, setState } = fakeClient({ status: 'authenticated' })
    render(
      <AuthProvider client={client}>
        <RequireAuth>secret</RequireAuth>
      </AuthProvider>,
    )
    await vi.waitFor(() => expect(client.subscribe).toHaveBeenCalled())
    setState({ status: 'unauthenticated', error: new AuthError('login_required', 'ended') })
    await vi.waitFor(() => expect(client.loginWithRedirect).toHaveBeenCalledWith({ appState: { returnTo: '/protected' } }))
  })

  it('on the callback page, waits for the login in progress instead of starting another', async () => {
    visit(`${appOrigin}/`)
    const client = realClient()
    const callbackUrl = await approvedCallbackUrl(client, { returnTo: '/protected' })
    visit(callbackUrl)
    const login = vi.spyOn(client, 'loginWithRedirect')

    const page = render(
      <StrictMode>
        <AuthProvider client={client} onRedirectCallback={() => {}}>
          <RequireAuth fallback="checking">secret</RequireAuth>
        </AuthProvider>
      </StrictMode>,
    )

    await vi.waitFor(() => expect(page.textContent).toBe('secret'))
    expect(login).not.toHaveBeenCalled()
  })

  it('throws a login that cannot start to the nearest error boundary', async () => {
    const { client } = fakeClient({ status: 'unauthenticated' })
    client.loginWithRedirect.mockRejectedValue(new AuthError('network_error', 'offline'))
    const onError = vi.fn()
    const container = document.createElement('div')
    root = createRoot(container, { onUncaughtError: onError })
    root.render(
      <AuthProvider client={client}>
        <RequireAuth>secret</RequireAuth>
      </AuthProvider>,
    )
    await vi.waitFor(() => expect(onError).toHaveBeenCalled())
    expect(onError.mock.calls[0]![0]).toMatchObject({ name: 'AuthError', code: 'network_error' })
  })
})
