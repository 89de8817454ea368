import { describe, expect, it } from 'vitest'
import { absoluteInput, resolveAllowedOrigins, resourceForUrl, type FetchOrigins } from '../src/features/fetch-origins.js'

const app = 'https://app.example.com'
const origins = (more: Partial<FetchOrigins> = {}): FetchOrigins => ({ appOrigin: app, allowedOrigins: [], resources: [], ...more })

describe('allowedOrigins', () => {
  it('takes exact origins', () => {
    expect(resolveAllowedOrigins(['https://api.example.com', 'http://localhost:8080'])).toEqual([
      'https://api.example.com',
      'http://localhost:8080',
    ])
    expect(resolveAllowedOrigins(undefined)).toEqual([])
  })

  it.each([
    'https://*.example.com',
    '*',
    'https://api.example.com/',
    'https://api.example.com/v1',
    'https://api.example.com?x',
    'https://API.example.com',
    'https://api.example.com:443',
    'api.example.com',
    '//api.example.com',
    'urn:example:api',
    'ftp://api.example.com',
    '',
    42,
  ])('refuses %j with config_error naming it', (value) => {
    expect(() => resolveAllowedOrigins([value])).toThrow(
      expect.objectContaining({ code: 'config_error', message: expect.stringContaining(String(value)) }),
    )
  })

  it('refuses a single string instead of a list', () => {
    expect(() => resolveAllowedOrigins('https://api.example.com')).toThrow(expect.objectContaining({ code: 'config_error' }))
  })
})

describe('absoluteInput', () => {
  it('resolves relative and protocol-relative strings and URL objects against the app origin', () => {
    expect(String(absoluteInput('/api/orders', app).url)).toBe(`${app}/api/orders`)
    expect(String(absoluteInput('api/orders', app).url)).toBe(`${app}/api/orders`)
    expect(String(absoluteInput('//evil.example/x', app).url)).toBe('https://evil.example/x')
    expect(String(absoluteInput(new URL('https://api.example.com/a'), app).input)).toBe('https://api.example.com/a')
  })

  it('takes an object that only claims to be a Request as a string, resolved against the app origin', () => {
    const impostor = { url: 'https://evil.example/', [Symbol.toStringTag]: 'Request', toString: () => '/api/me' }
    expect(absoluteInput(impostor as unknown as Request, app)).toEqual({ input: new URL(`${app}/api/me`), url: new URL(`${app}/api/me`) })
  })

  it('keeps a Request as it is, and needs a browser for a relative URL', () => {
    const request = new Request('https://api.example.com/a')
    expect(absoluteInput(request, app)).toEqual({ input: request, url: new URL('https://api.example.com/a') })
    expect(() => absoluteInput('/api', undefined)).toThrow(expect.objectContaining({ code: 'config_error' }))
  })
})

describe('resourceForUrl', () => {
  it("sends the session's own token to the app origin and allowedOrigins", () => {
    expect(resourceForUrl(new URL(`${app}/api`), origins())).toBeUndefined()
    expect(resourceForUrl(new URL('https://api.example.com/x'), origins({ allowedOrigins: ['https://api.example.com'] }))).toBeUndefined()
  })

  it("gives each resource's origin that resource's token, the longest matching resource first", () => {
    const resources = ['https://orders.example.com/', 'https://reports.example.com/v1/', 'https://reports.example.com/v2/']
    expect(resourceForUrl(new URL('https://orders.example.com/o/1'), origins({ resources }))).toBe(resources[0])
    expect(resourceForUrl(new URL('https://reports.example.com/v2/r'), origins({ resources }))).toBe(resources[2])
    expect(resourceForUrl(new URL('https://reports.example.com/other'), origins({ resources }))).toBe(resources[1])
    expect(resourceForUrl(new URL(`${app}/api`), origins({ resources }))).toBeUndefined()
  })

  it.each([
    'https://evil.example/api',
    'https://app.example.com.evil.example/',
    'http://app.example.com/api',
    'https://app.example.com:8443/api',
    'data:text/plain,x',
    'blob:https://app.example.com/0000',
  ])('refuses %s with config_error naming its origin (its scheme, when not http)', (href) => {
    const url = new URL(href)
    const named = /^https?:$/.test(url.protocol) ? url.origin : `a ${url.protocol} URL`
    expect(() => resourceForUrl(url, origins({ resources: ['urn:example:api'] }))).toThrow(
      expect.objectContaining({ code: 'config_error', message: expect.stringContaining(`sends no token to ${named}:`) }),
    )
  })

  it('outside a browser only the configured origins count', () => {
    expect(() => resourceForUrl(new URL(`${app}/api`), origins({ appOrigin: undefined }))).toThrow(
      expect.objectContaining({ code: 'config_error' }),
    )
  })
})
