// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createApp, defineComponent, h, nextTick, type App, type Component } from 'vue'
import { createRouter, createWebHistory, RouterView, type RouteRecordRaw } from 'vue-router'
import { AuthError, createAuthClient } from '../src/index.js'
import { authGuard, createAuth, createAuthGuard, useAuth, type UseAuthResult } from '../src/bindings/vue/index.js'
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

const appOrigin = 'http://localhost:5176'
const provider = useApprovingProvider()
const openChannels = countOpenChannels()
let app: App | undefined
afterEach(() => {
  app?.unmount()
  app = undefined
})

const page = () => document.body.textContent ?? ''
const text = (content: string): Component => ({ render: () => h('p', content) })

const Status = defineComponent(() => {
  const { status, user } = useAuth()
  return () => h('p', user.value ? `${status.value} as ${String(user.value.name)}` : status.value)
})

function mount(root: Component, ...plugins: { install(app: App): void }[]) {
  app = createApp(root)
  for (const plugin of plugins) app.use(plugin)
  const container = document.createElement('div')
  document.body.replaceChildren(container)
  app.mount(container)
  return app
}

function routerWith(routes: RouteRecordRaw[]) {
  const router = createRouter({ history: createWebHistory(), routes })
  router.beforeEach(authGuard)
  return router
}

describe('createAuth', () => {
  it('completes the redirect callback once and goes back to appState.returnTo through the router', async () => {
    visit(`${appOrigin}/`)
    const client = createAuthClient({ issuer: provider().url, clientId: 'pixie-demo', redirectUri: `${appOrigin}/`, scope: 'openid profile' })
    const callbackUrl = await approvedCallbackUrl(client, { returnTo: '/protected?tab=2#top' })
    visit(callbackUrl)
    const redemptionsBefore = await codeRedemptions(provider())
    const router = routerWith([
      { path: '/', component: text('public') },
      { path: '/protected', component: Status, meta: { requiresAuth: true } },
    ])

    // The plugin before the router: it must find the router when the login completes, not at install.
    mount(() => h(RouterView), createAuth({ client }), router)

    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe('/protected?tab=2#top'))
    await vi.waitFor(() => expect(page()).toBe('authenticated as Ada Lovelace'))
    expect(location.pathname + location.search + location.hash).toBe('/protected?tab=2#top')
    expect(await codeRedemptions(provider())).toBe(redemptionsBefore + 1)
  })

  it('creates its own client from options, and calls onRedirectCallback instead of navigating', async () => {
    visit(`${appOrigin}/`)
    const onRedirectCallback = vi.fn()
    const auth = createAuth({ issuer: provider().url, clientId: 'pixie-demo', redirectUri: `${appOrigin}/`, scope: 'openid', onRedirectCallback })
    const callbackUrl = await approvedCallbackUrl(auth.client, { returnTo: '/elsewhere' })
    visit(callbackUrl)

    mount(Status, auth)

    await vi.waitFor(() => expect(onRedirectCallback).toHaveBeenCalledWith({ returnTo: '/elsewhere' }))
    expect(onRedirectCallback).toHaveBeenCalledTimes(1)
    expect(location.href).toBe(`${appOrigin}/`)
  })

  it('disposes of the client it made when the app unmounts, and leaves a client it was given', async () => {
    visit(`${appOrigin}/`)
    const given = fakeClient({ status: 'unauthenticated' }).client
    mount(Status, createAuth({ issuer: provider().url, clientId: 'pixie-demo', redirectUri: `${appOrigin}/` }))
    await vi.waitFor(() => expect(page()).toBe('unauthenticated'))
    expect(openChannels()).toBe(1)

    app!.unmount()
    app = undefined
    await nextTask()
    expect(openChannels()).toBe(0)

    mount(Status, createAuth({ client: given }))
    app!.unmount()
    app = undefined
    expect(given.dispose).not.toHaveBeenCalled()
  })

  it('without a router, goes back to a same-origin returnTo with history.replaceState', async () => {
    visit(`${appOrigin}/?code=c&state=s`)
    const { client } = fakeClient({ status: 'authenticated' }, {
      isCallback: true,
      callback: async () => ({ appState: { returnTo: '/orders/42?tab=items#top' } }),
    })
    mount(Status, createAuth({ client }))
    await vi.waitFor(() => expect(location.pathname + location.search + location.hash).toBe('/orders/42?tab=items#top'))
  })

  it('stays put when appState.returnTo points to another origin', async () => {
    visit(`${appOrigin}/landing`)
    const router = routerWith([{ path: '/:any(.*)*', component: text('page') }])
    const replace = vi.spyOn(router, 'replace')
    const { client } = fakeClient({ status: 'authenticated' }, {
      isCallback: true,
      callback: async () => ({ appState: { returnTo: 'https://evil.example/phish' } }),
    })
    mount(() => h(RouterView), router, createAuth({ client }))
    await vi.waitFor(() => expect(client.handleRedirectCallback).toHaveBeenCalled())
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(replace).not.toHaveBeenCalled()
    expect(location.href).toBe(`${appOrigin}/landing`)
  })

  it('with skipRedirectCallback leaves the callback to the app: nothing redeemed, URL kept, authGuard waits', async () => {
    visit(`${appOrigin}/`)
    // Options of its own: clients with equal options share one instance, and the others' is signed in.
    const client = createAuthClient({ issuer: provider().url, clientId: 'pixie-demo', redirectUri: `${appOrigin}/`, scope: 'openid profile email' })
    const callbackUrl = await approvedCallbackUrl(client)
    visit(callbackUrl)
    const redemptionsBefore = await codeRedemptions(provider())
    const router = routerWith([{ path: '/', component: Status, meta: { requiresAuth: true } }])

    mount(() => h(RouterView), createAuth({ client, skipRedirectCallback: true }), router)

    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(await codeRedemptions(provider())).toBe(redemptionsBefore)
    expect(location.href).toBe(callbackUrl)
    expect(client.getState().status).toBe('loading')
    expect(page()).toBe('')

    await client.handleRedirectCallback()
    await vi.waitFor(() => expect(page()).toBe('authenticated as Ada Lovelace'))
    expect(await codeRedemptions(provider())).toBe(redemptionsBefore + 1)
  })
})

describe('useAuth', () => {
  it('follows every state change through its refs, and stops when the app is unmounted', async () => {
    const { client, setState } = fakeClient({ status: 'loading' })
    let auth!: UseAuthResult
    mount(
      defineComponent(() => {
        auth = useAuth()
        return () => h('p', auth.status.value)
      }),
      createAuth({ client }),
    )
    expect(page()).toBe('loading')
    expect(auth.isLoading.value).toBe(true)

    setState({ status: 'authenticated', user: ada })
    await nextTick()
    expect(page()).toBe('authenticated')
    expect([auth.isAuthenticated.value, auth.isLoading.value, auth.user.value]).toEqual([true, false, ada])

    const ended = new AuthError('login_required', 'ended')
    setState({ status: 'unauthenticated', error: ended })
    await nextTick()
    expect(page()).toBe('unauthenticated')
    expect(auth.error.value).toBe(ended)

    app!.unmount()
    app = undefined
    setState({ status: 'authenticated' })
    expect(auth.state.value.status).toBe('unauthenticated')
  })

  it('while only the start-up hint says signed in: loading, not authenticated, though the status says so for the layout', async () => {
    const { client, setState } = fakeClient({ status: 'authenticated', unconfirmed: true })
    let auth!: UseAuthResult
    mount(
      defineComponent(() => {
        auth = useAuth()
        return () => h('p', auth.isAuthenticated.value ? 'secret' : auth.status.value)
      }),
      createAuth({ client }),
    )
    expect(page()).toBe('authenticated')
    expect([auth.isAuthenticated.value, auth.isLoading.value]).toEqual([false, true])

    setState({ status: 'authenticated', user: ada })
    await nextTick()
    expect(page()).toBe('secret')
    expect([auth.isAuthenticated.value, auth.isLoading.value]).toEqual([true, false])
  })

  it('hands out actions that call the client', async () => {
    const { client } = fakeClient({ status: 'authenticated' })
    let auth!: UseAuthResult
    mount(
      defineComponent(() => {
        auth = useAuth()
        return () => null
      }),
      createAuth({ client }),
    )
    await expectActionsCall(auth, client)
  })

  it('hands out a client made from options that the features take: createFetch sends its token', async () => {
    const options = { issuer: provider().url, clientId: 'pixie-demo', redirectUri: `${appOrigin}/`, scope: 'openid profile' }
    await visitApprovedCallback(options)
    let auth!: UseAuthResult
    mount(
      defineComponent(() => {
        auth = useAuth()
        return () => null
      }),
      createAuth(options),
    )
    await vi.waitFor(() => expect(auth.isAuthenticated.value).toBe(true))

    // (fetchUser is not tried here: happy-dom's two URL classes trip oauth4webapi's UserInfo request.)
    await expectProtectedApiAnswers(auth.client, provider())
  })
})

describe('authGuard', () => {
  const routes: RouteRecordRaw[] = [
    { path: '/', component: text('public') },
    { path: '/protected', component: text('secret'), meta: { requiresAuth: true } },
    {
      path: '/account',
      meta: { requiresAuth: true },
      children: [{ path: 'billing', component: text('billing') }],
    },
  ]

  it('cancels the navigation to a protected route and starts a login back to its full path', async () => {
    visit(`${appOrigin}/`)
    const router = routerWith(routes)
    const { client } = fakeClient({ status: 'unauthenticated' })
    mount(() => h(RouterView), router, createAuth({ client }))
    await router.isReady()
    expect(page()).toBe('public')

    await router.push('/protected?tab=2#top')
    expect(router.currentRoute.value.fullPath).toBe('/')
    expect(client.loginWithRedirect).toHaveBeenCalledTimes(1)
    expect(client.loginWithRedirect).toHaveBeenCalledWith({ appState: { returnTo: '/protected?tab=2#top' } })

    await router.push('/account/billing')
    expect(router.currentRoute.value.fullPath, 'a child of a protected route').toBe('/')
    expect(client.loginWithRedirect).toHaveBeenLastCalledWith({ appState: { returnTo: '/account/billing' } })
  })

  it('lets a signed-in user in, and never logs in for a public route', async () => {
    visit(`${appOrigin}/`)
    const router = routerWith(routes)
    const { client, setState } = fakeClient({ status: 'unauthenticated' })
    mount(() => h(RouterView), router, createAuth({ client }))
    await router.isReady()
    expect(router.currentRoute.value.fullPath).toBe('/')

    setState({ status: 'authenticated' })
    await router.push('/protected')
    await nextTick()
    expect(page()).toBe('secret')
    expect(client.loginWithRedirect).not.toHaveBeenCalled()
  })

  it('with a forged start-up hint and no stored session, never enters a protected route, and logs in', async () => {
    const { client, login } = clientWithForgedHint(provider(), `${appOrigin}/protected`)
    const entered = vi.fn()
    const router = routerWith([
      { path: '/', component: text('public') },
      { path: '/protected', component: defineComponent(() => (entered(), () => h('p', 'secret'))), meta: { requiresAuth: true } },
    ])
    mount(() => h(RouterView), createAuth({ client }), router)
    await vi.waitFor(() => expect(login).toHaveBeenCalledWith({ appState: { returnTo: '/protected' } }))
    await nextTick()
    expect(entered).not.toHaveBeenCalled()
    expect(page()).not.toContain('secret')
  })

  describe('after a refused login', () => {
    /** A real client back from a login the user refused, at the redirect URI, with the app mounted. */
    async function refusedLogin(guard: typeof authGuard, scope: string) {
      visit(`${appOrigin}/`)
      const client = createAuthClient({ issuer: provider().url, clientId: 'pixie-demo', redirectUri: `${appOrigin}/`, scope })
      visit(await refusedCallbackUrl(client, { returnTo: '/protected' }))
      const login = vi.spyOn(client, 'loginWithRedirect').mockResolvedValue()
      const router = createRouter({
        history: createWebHistory(),
        routes: [
          ...routes,
          {
            path: '/login-failed',
            component: defineComponent(() => {
              const { error } = useAuth()
              return () => h('p', `failed: ${error.value?.code} ${error.value?.error}`)
            }),
          },
        ],
      })
      router.beforeEach(guard)
      mount(() => h(RouterView), router, createAuth({ client }))
      await router.isReady()
      await vi.waitFor(() => expect(client.getState().error?.code).toBe('oauth_error'))
      return { client, router, login }
    }

    it('createAuthGuard({ errorRoute }) sends a protected route there, with returnTo; no login starts by itself', async () => {
      const { client, router, login } = await refusedLogin(createAuthGuard({ errorRoute: '/login-failed' }), 'openid address')
      await router.push('/protected?tab=2#top')
      expect(router.currentRoute.value.path).toBe('/login-failed')
      expect(router.currentRoute.value.query).toEqual({ returnTo: '/protected?tab=2#top' })
      await nextTick()
      expect(page()).toBe('failed: oauth_error access_denied')
      expect(login).not.toHaveBeenCalled()
      client.dispose()
    })

    it('authGuard cancels the navigation, and useAuth().error says why', async () => {
      const { client, router, login } = await refusedLogin(authGuard, 'openid phone')
      await router.push('/protected')
      expect(router.currentRoute.value.path).toBe('/')
      expect(page()).toBe('public')
      expect(client.getState().error).toMatchObject({ code: 'oauth_error', error: 'access_denied' })
      expect(login).not.toHaveBeenCalled()
      client.dispose()
    })
  })
})
