import { describe, expect, it } from 'vitest'
import { resolveOptions, type AuthClientOptions } from '../src/core/options.js'

const base: AuthClientOptions = { issuer: 'https://as.example', clientId: 'spa', redirectUri: 'https://app.example/callback' }

describe('silent login options', () => {
  it('are off by default; the timeout defaults to 10 s and the redirect URI to redirectUri', () => {
    expect(resolveOptions(base)).toMatchObject({
      silentLogin: undefined,
      silentLoginTimeoutSeconds: 10,
      silentRedirectUri: 'https://app.example/callback',
    })
  })

  it('take what is given', () => {
    const options = { ...base, silentLogin: 'iframe', silentLoginTimeoutSeconds: 3, silentRedirectUri: 'https://app.example/silent' } as const
    expect(resolveOptions(options)).toMatchObject({
      silentLogin: 'iframe',
      silentLoginTimeoutSeconds: 3,
      silentRedirectUri: 'https://app.example/silent',
    })
  })

  it('refuse an unknown mode and a silentRedirectUri that is not an absolute URL with config_error', () => {
    expect(() => resolveOptions({ ...base, silentLogin: 'popup' as 'iframe' })).toThrow(expect.objectContaining({ code: 'config_error' }))
    expect(() => resolveOptions({ ...base, silentRedirectUri: '/silent' })).toThrow(expect.objectContaining({ code: 'config_error' }))
  })
})
