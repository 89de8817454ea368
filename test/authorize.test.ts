import * as oauth from 'oauth4webapi'
import { describe, expect, it } from 'vitest'
import { assertNoProtocolParams, assertSupportedServer, buildAuthorizationUrl } from '../src/core/authorize.js'
import { createTransaction } from '../src/core/transaction.js'

const owner = { namespace: 'https://as.example/#spa', issuer: 'https://as.example/', clientId: 'spa' }

const metadata: oauth.AuthorizationServer = {
  issuer: 'https://as.example',
  authorization_endpoint: 'https://as.example/authorize?tenant=t1',
  code_challenge_methods_supported: ['S256'],
}

describe('PKCE', () => {
  it('derives the S256 challenge of RFC 7636 Appendix B', async () => {
    expect(await oauth.calculatePKCECodeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    )
  })

  it('makes verifiers of 43 characters from the unreserved set, different each time', () => {
    const a = createTransaction(owner, { redirectUri: 'https://app/cb', scope: 'openid' })
    const b = createTransaction(owner, { redirectUri: 'https://app/cb', scope: 'openid' })
    expect(a.codeVerifier).toMatch(/^[A-Za-z0-9\-._~]{43,128}$/)
    expect(a.codeVerifier).not.toBe(b.codeVerifier)
    expect(a.state).not.toBe(b.state)
  })
})

describe('buildAuthorizationUrl', () => {
  it('sends code flow with S256, state, nonce and the extra parameters, keeping the endpoint query', async () => {
    const transaction = createTransaction(owner, { redirectUri: 'https://app/cb', scope: 'openid profile' })
    const url = await buildAuthorizationUrl(metadata, 'spa', transaction, { prompt: 'login' })
    const params = url.searchParams
    expect(url.origin + url.pathname).toBe('https://as.example/authorize')
    expect(params.get('tenant')).toBe('t1')
    expect(params.get('response_type')).toBe('code')
    expect(params.get('client_id')).toBe('spa')
    expect(params.get('redirect_uri')).toBe('https://app/cb')
    expect(params.get('scope')).toBe('openid profile')
    expect(params.get('state')).toBe(transaction.state)
    expect(params.get('nonce')).toBe(transaction.nonce)
    expect(params.get('code_challenge_method')).toBe('S256')
    expect(params.get('code_challenge')).toBe(await oauth.calculatePKCECodeChallenge(transaction.codeVerifier))
    expect(params.get('prompt')).toBe('login')
  })

  it('sends no nonce without the openid scope', async () => {
    const transaction = createTransaction(owner, { redirectUri: 'https://app/cb', scope: 'api' })
    const url = await buildAuthorizationUrl(metadata, 'spa', transaction, {})
    expect(url.searchParams.has('nonce')).toBe(false)
    expect(transaction.nonce).toBeUndefined()
  })
})

describe('server and parameter checks', () => {
  it('refuses a server without S256', () => {
    expect(() => assertSupportedServer({ ...metadata, code_challenge_methods_supported: ['plain'] }, false)).toThrow(
      expect.objectContaining({ code: 'config_error' }),
    )
    expect(() => assertSupportedServer({ issuer: 'https://as.example' }, false)).toThrow(
      expect.objectContaining({ code: 'config_error' }),
    )
    expect(() => assertSupportedServer(metadata, false)).not.toThrow()
  })

  it('refuses extra parameters that would override PKCE, state or nonce', () => {
    for (const name of ['state', 'nonce', 'code_challenge', 'code_challenge_method', 'redirect_uri']) {
      expect(() => assertNoProtocolParams({ [name]: 'x' })).toThrow(expect.objectContaining({ code: 'config_error' }))
    }
    expect(() => assertNoProtocolParams({ prompt: 'login', audience: 'api' })).not.toThrow()
  })
})
