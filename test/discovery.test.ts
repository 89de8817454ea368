// Discovery against real HTTP servers on loopback: what a failure says (the URLs asked, their
// status, a redirect's Location, the metadata option), its code, and the `metadata` option
// completing what a server publishes.
import { createServer, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createAuthClient, type AuthClient, type AuthClientOptions } from '../src/index.js'
import { discoverMetadata } from '../src/core/discovery.js'
import { internalsOf } from '../src/core/internals.js'
import { resolveOptions } from '../src/core/options.js'
import { approvedCallbackUrl, controlProvider, useApprovingProvider, usePage } from './mock-provider-login.js'

const servers: Server[] = []
afterEach(() => Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve)))))

/** A server on loopback answering with `listener`; resolves with its origin and the paths it was asked. */
async function serve(listener: (origin: string) => RequestListener) {
  const asked: string[] = []
  let origin = ''
  const server = createServer((request, response) => {
    asked.push(request.url!)
    listener(origin)(request, response)
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { origin, asked }
}

const options = (issuer: string, more: Partial<AuthClientOptions> = {}) =>
  resolveOptions({ issuer, clientId: 'spa', redirectUri: 'http://localhost:5173/', ...more })

const metadataOf = (issuer: string) => ({
  issuer,
  authorization_endpoint: `${issuer}/authorize/`,
  token_endpoint: `${issuer}/token/`,
  code_challenge_methods_supported: ['S256'],
})

/**
 * Django OAuth Toolkit: the issuer is `<origin>/o`, and its discovery URL without a trailing slash
 * answers 301 to the one with it. RFC 8414's URL is not served at all.
 */
const djangoLike = (origin: string): RequestListener => (request, response) => {
  if (request.url === '/o/.well-known/openid-configuration') {
    response.writeHead(301, { location: '/o/.well-known/openid-configuration/' }).end()
  } else if (request.url === '/o/.well-known/openid-configuration/') {
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(metadataOf(`${origin}/o`)))
  } else {
    response.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>')
  }
}

describe('discovery failures', () => {
  it('a 301 to a trailing-slash URL: invalid_response naming each URL asked, its status, the Location, and the metadata option', async () => {
    const { origin, asked } = await serve(() => djangoLike(origin))
    const error = await discoverMetadata(options(`${origin}/o`)).catch((e: unknown) => e)

    expect(error).toMatchObject({ name: 'AuthError', code: 'invalid_response', status: 301 })
    const { message } = error as Error
    expect(message).toContain(`${origin}/o/.well-known/openid-configuration: HTTP 301 to /o/.well-known/openid-configuration/`)
    expect(message).toContain(`${origin}/.well-known/oauth-authorization-server/o: HTTP 404`)
    expect(message).toContain('set the metadata option')
    // The redirect is reported, not followed: the metadata must come from the issuer's own URL.
    expect(asked).toEqual(['/o/.well-known/openid-configuration', '/.well-known/oauth-authorization-server/o'])
  })

  it('a server that is down (503 twice): network_error, with the status', async () => {
    const { origin } = await serve(() => (_request, response) => response.writeHead(503).end())
    const error = await discoverMetadata(options(origin)).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'network_error', status: 503 })
    expect((error as Error).message).toContain(`${origin}/.well-known/openid-configuration: HTTP 503`)
  })

  it("metadata that names another issuer: invalid_response naming the URL, as oauth4webapi's check says", async () => {
    const { origin } = await serve(() => (_request, response) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(metadataOf('https://other.example'))),
    )
    const error = await discoverMetadata(options(origin)).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'invalid_response' })
    expect((error as Error).message).toMatch(new RegExp(`^Discovery: ${origin}/.well-known/openid-configuration: .*issuer.*metadata option\\)$`))
  })

  it('no answer at all: network_error naming the URL', async () => {
    const { origin } = await serve(() => (request) => request.socket.destroy())
    const error = await discoverMetadata(options(origin)).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'network_error' })
    expect((error as Error).message).toContain(`Discovery: ${origin}/.well-known/openid-configuration: No answer from the server`)
  })
})

describe('the metadata option', () => {
  it('complete (issuer, authorization and token endpoints): used as it is, nothing asked', async () => {
    const { origin, asked } = await serve(() => djangoLike(origin))
    const given = metadataOf(`${origin}/o`)
    expect(await discoverMetadata(options(`${origin}/o`, { metadata: given }))).toBe(given)
    expect(asked).toEqual([])
  })

  it('partial: laid over the discovered metadata, its fields winning, the issuer the server spells', async () => {
    const { origin } = await serve(() => (_request, response) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(metadataOf(origin))),
    )
    const metadata = await discoverMetadata(
      options(origin, { metadata: { issuer: `${origin}/`, revocation_endpoint: `${origin}/revoke/`, token_endpoint: `${origin}/other-token/` } }),
    )
    expect(metadata).toEqual({ ...metadataOf(origin), revocation_endpoint: `${origin}/revoke/`, token_endpoint: `${origin}/other-token/` })
  })

  it('an issuer other than the issuer option: config_error when the client is made', () => {
    const make = (issuer: unknown) => () =>
      createAuthClient({ issuer: 'https://as.example/o', clientId: 'spa', redirectUri: 'https://app.example/', metadata: { issuer } as never })
    for (const issuer of ['https://as.example/o/', 'https://as.example', 'https://evil.example/o', 'not a url', 42]) {
      expect(make(issuer), String(issuer)).toThrow(expect.objectContaining({ code: 'config_error' }))
    }
    make('https://as.example/o')().dispose()
  })
})

describe('the metadata option adds an endpoint the server does not list', () => {
  const provider = useApprovingProvider()
  const track = usePage('http://localhost:5173')

  /** Logs in with a client made with `metadata`, logs out locally, and says what the server thinks of the refresh token. */
  async function refreshTokenAfterLogout(metadata?: AuthClientOptions['metadata']) {
    const client: AuthClient = track(
      createAuthClient({ issuer: provider().url, clientId: 'pixie-demo', redirectUri: 'http://localhost:5173/', metadata }),
    )
    await client.handleRedirectCallback(await approvedCallbackUrl(client))
    const { refreshToken } = (await internalsOf(client).session())!
    expect(refreshToken).toBeTruthy()
    await client.logout({ localOnly: true })
    const status = await controlProvider(provider(), `refresh-token-status?token=${encodeURIComponent(refreshToken!)}`)
    return status.state
  }

  it('{ revocation_endpoint } makes logout revoke at a server whose metadata has none', async () => {
    await controlProvider(provider(), 'reset', { config: { autoApprove: true, revocationEndpoint: false } })
    // Without it, nothing is revoked: the server does not say where.
    expect(await refreshTokenAfterLogout()).toBe('active')
    expect(await refreshTokenAfterLogout({ revocation_endpoint: `${provider().url}/revoke` })).toBe('revoked')
    expect((await controlProvider(provider(), 'stats')).revocations).toBe(1)
  })
})
