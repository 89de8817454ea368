import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createAuthClient } from '../src/index.js'
import { assertNavigationUrl, isAppPath, isLoopbackHost, requireAppUrl, requireUrl } from '../src/core/url-policy.js'

const base = { issuer: 'https://login.example.com', clientId: 'spa', redirectUri: 'https://app.example.com/cb' }
const metadata = { issuer: base.issuer, authorization_endpoint: `${base.issuer}/authorize`, token_endpoint: `${base.issuer}/token` }

const refused = [
  'javascript:alert(document.domain)',
  'JavaScript:alert(1)',
  ' javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  '/logged-out',
  'logged-out.html',
  '//evil.example/',
  '\\\\evil.example',
  'http://app.example.com/',
  'http://10.0.0.1/',
  'ftp://app.example.com/',
  'blob:https://app.example.com/0000',
  '',
  42,
  null,
]

describe('isLoopbackHost', () => {
  it.each(['localhost', '127.0.0.1', '127.255.1.2', '[::1]'])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true)
  })
  it.each(['localhost.evil.example', '127.0.0.1.evil.example', '128.0.0.1', '0.0.0.0', '[::2]', 'example.com'])(
    '%s is not',
    (host) => expect(isLoopbackHost(host)).toBe(false),
  )
  it('normalised IPv4 spellings of 127/8 count, as the browser would connect there', () => {
    expect(isLoopbackHost(new URL('http://127.1/').hostname)).toBe(true)
    expect(isLoopbackHost(new URL('http://0x7f000001/').hostname)).toBe(true)
  })
})

describe('assertNavigationUrl', () => {
  it.each(['https://app.example.com/bye', 'http://localhost:5173/', 'http://127.0.0.2/x', 'http://[::1]:8080/'])(
    'accepts %s',
    (url) => expect(assertNavigationUrl('returnTo', url, false)).toBe(url),
  )
  it.each(refused)('refuses %j with config_error naming the setting', (url) => {
    expect(() => assertNavigationUrl('returnTo', url, false)).toThrow(expect.objectContaining({ code: 'config_error', message: expect.stringContaining('returnTo') }))
  })
  it('accepts http: on other hosts only with allowInsecureRequests, and still no other scheme', () => {
    expect(assertNavigationUrl('returnTo', 'http://app.internal/', true)).toBe('http://app.internal/')
    expect(() => assertNavigationUrl('returnTo', 'javascript:alert(1)', true)).toThrow(expect.objectContaining({ code: 'config_error' }))
    expect(() => assertNavigationUrl('returnTo', '//evil.example', true)).toThrow(expect.objectContaining({ code: 'config_error' }))
  })
})

describe('logout URLs at the client', () => {
  afterEach(() => vi.unstubAllGlobals())

  // '/logged-out' is a path on the page's origin: the client takes it (see 'paths for the app's URLs').
  it.each(refused.filter((value) => typeof value === 'string' && !isAppPath(value)))('createAuthClient refuses postLogoutRedirectUri %j', (url) => {
    expect(() => createAuthClient({ ...base, postLogoutRedirectUri: url as string })).toThrow(
      expect.objectContaining({ code: 'config_error', message: expect.stringContaining('postLogoutRedirectUri') }),
    )
  })

  it('createAuthClient takes an http: postLogoutRedirectUri off loopback only with allowInsecureRequests', () => {
    expect(() => createAuthClient({ ...base, postLogoutRedirectUri: 'http://app.internal/' })).toThrow()
    expect(() => createAuthClient({ ...base, postLogoutRedirectUri: 'http://app.internal/', allowInsecureRequests: true })).not.toThrow()
  })

  it.each([true, false])(
    'logout({ returnTo }) refuses javascript: before clearing or navigating (end_session_endpoint: %s)',
    async (withEndSession) => {
      const assign = vi.fn()
      vi.stubGlobal('location', { href: 'https://app.example.com/', origin: 'https://app.example.com', assign })
      const fetch = vi.fn(async () => new Response('{}'))
      const auth = createAuthClient({
        ...base,
        fetch,
        metadata: { ...metadata, ...(withEndSession && { end_session_endpoint: `${base.issuer}/logout` }) },
      })
      for (const returnTo of ['javascript:alert(1)', '//evil.example/', '/\\evil.example/', 'data:text/html,x', 'bye.html']) {
        await expect(auth.logout({ returnTo })).rejects.toMatchObject({ name: 'AuthError', code: 'config_error' })
      }
      expect(assign).not.toHaveBeenCalled()
      expect(fetch).not.toHaveBeenCalled()

      await auth.logout({ returnTo: 'https://app.example.com/bye' })
      expect(assign).toHaveBeenCalledTimes(1)
      const target = new URL(String(assign.mock.calls[0][0]))
      if (withEndSession) expect(target.searchParams.get('post_logout_redirect_uri')).toBe('https://app.example.com/bye')
      else expect(target.href).toBe('https://app.example.com/bye')
    },
  )
})

describe('redirect URIs', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('requireUrl takes only a string holding an absolute URL', () => {
    expect(requireUrl('redirectUri', 'https://app.example.com/cb?x=1').href).toBe('https://app.example.com/cb?x=1')
    for (const value of ['/cb', 'cb.html', '', 42, null, new URL('https://app.example.com/cb')]) {
      expect(() => requireUrl('redirectUri', value)).toThrow(
        expect.objectContaining({ code: 'config_error', message: 'redirectUri must be an absolute URL' }),
      )
    }
  })

  it('loginWithRedirect({ redirectUri }) refuses one that is neither an absolute URL nor a path before any request or navigation', async () => {
    const assign = vi.fn()
    vi.stubGlobal('location', { href: 'https://app.example.com/', origin: 'https://app.example.com', assign })
    const fetch = vi.fn(async () => new Response('{}'))
    const auth = createAuthClient({ ...base, fetch, metadata })
    for (const redirectUri of ['cb', '//evil.example/cb']) {
      await expect(auth.loginWithRedirect({ redirectUri })).rejects.toMatchObject({
        name: 'AuthError',
        code: 'config_error',
        message: 'redirectUri must be an absolute URL or a /path',
      })
    }
    expect(fetch).not.toHaveBeenCalled()
    expect(assign).not.toHaveBeenCalled()
  })
})

describe("paths for the app's URLs (resolved against the page's origin when used)", () => {
  afterEach(() => vi.unstubAllGlobals())
  const pages = ['https://app.example.com', 'http://localhost:3000']
  const withEndSession = { ...metadata, end_session_endpoint: `${base.issuer}/logout` }

  it('isAppPath takes a path that stays on the origin the URL parser resolves it against, and nothing else', () => {
    for (const path of ['/', '/callback', '/auth/callback?provider=a', '/a/../b', '/.//x']) expect(isAppPath(path), path).toBe(true)
    // '/\\host' and a tab or newline the parser drops after the first '/' name another host, as '//host' does.
    for (const value of ['//evil.example/cb', '/\\evil.example/cb', '/\t/evil.example', '/\n/evil.example', '\\/evil.example', 'callback', ' /callback', '', 'https://app.example.com/cb', undefined, 42]) {
      expect(isAppPath(value), JSON.stringify(value)).toBe(false)
    }
  })

  it('requireAppUrl takes an absolute URL, as requireUrl does, or a path; a config_error says which', () => {
    for (const value of ['/callback', 'https://app.example.com/cb', 'com.example.app:/callback']) expect(() => requireAppUrl('redirectUri', value)).not.toThrow()
    for (const value of ['callback', '//evil.example/cb', '/\\evil.example', '', null]) {
      expect(() => requireAppUrl('redirectUri', value)).toThrow(
        expect.objectContaining({ code: 'config_error', message: 'redirectUri must be an absolute URL or a /path' }),
      )
    }
  })

  it('createAuthClient at module scope with no page (a server render) takes paths and touches nothing', () => {
    expect(typeof location).toBe('undefined')
    const auth = createAuthClient({ ...base, redirectUri: '/callback', postLogoutRedirectUri: '/' })
    expect(auth.getState()).toEqual({ status: 'loading' })
    for (const redirectUri of ['//evil.example/callback', '/\\evil.example/callback', 'callback']) {
      expect(() => createAuthClient({ ...base, redirectUri })).toThrow(expect.objectContaining({ code: 'config_error' }))
    }
  })

  it.each(pages)('a client made before there is a page logs in at %s: the path resolved when the login starts', async (origin) => {
    const auth = createAuthClient({ ...base, redirectUri: '/callback', metadata })
    const assign = vi.fn()
    vi.stubGlobal('location', { href: `${origin}/orders`, origin, assign })
    await auth.loginWithRedirect()
    await auth.loginWithRedirect({ redirectUri: '/other-callback?x=1' })
    const [first, second] = assign.mock.calls.map(([url]) => new URL(String(url)))
    expect(first.searchParams.get('redirect_uri')).toBe(`${origin}/callback`)
    expect(second.searchParams.get('redirect_uri')).toBe(`${origin}/other-callback?x=1`)
    // The callback is matched against the resolved URI: this origin's /callback with this login's state.
    const state = first.searchParams.get('state')!
    expect(auth.isRedirectCallback(`${origin}/callback?code=c&state=${state}`)).toBe(true)
    expect(auth.isRedirectCallback(`https://evil.example/callback?code=c&state=${state}`)).toBe(false)
    expect(auth.isRedirectCallback(`${origin}/orders?code=c&state=${state}`)).toBe(false)
    auth.dispose()
  })

  it.each(pages)('postLogoutRedirectUri and logout({ returnTo }) as paths go back to %s', async (origin) => {
    const auth = createAuthClient({ ...base, postLogoutRedirectUri: '/', metadata: withEndSession })
    const assign = vi.fn()
    vi.stubGlobal('location', { href: `${origin}/orders`, origin, assign })
    await auth.logout()
    await auth.logout({ returnTo: '/goodbye?x=1' })
    const sent = assign.mock.calls.map(([url]) => new URL(String(url)).searchParams.get('post_logout_redirect_uri'))
    expect(sent).toEqual([`${origin}/`, `${origin}/goodbye?x=1`])
    auth.dispose()
  })
})
