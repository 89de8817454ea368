import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createAuthClient } from '../src/index.js'
import { assertNavigationUrl, isLoopbackHost, requireUrl } from '../src/core/url-policy.js'

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

  it.each(refused.filter((value) => typeof value === 'string'))('createAuthClient refuses postLogoutRedirectUri %j', (url) => {
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
      for (const returnTo of ['javascript:alert(1)', '//evil.example/', 'data:text/html,x', '/bye']) {
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

  it('loginWithRedirect({ redirectUri }) refuses one that is not an absolute URL before any request or navigation', async () => {
    const assign = vi.fn()
    vi.stubGlobal('location', { href: 'https://app.example.com/', origin: 'https://app.example.com', assign })
    const fetch = vi.fn(async () => new Response('{}'))
    const auth = createAuthClient({ ...base, fetch, metadata })
    await expect(auth.loginWithRedirect({ redirectUri: '/cb' })).rejects.toMatchObject({
      name: 'AuthError',
      code: 'config_error',
      message: 'redirectUri must be an absolute URL',
    })
    expect(fetch).not.toHaveBeenCalled()
    expect(assign).not.toHaveBeenCalled()
  })
})
