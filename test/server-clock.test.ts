import { describe, expect, it } from 'vitest'
import { resolveOptions } from '../src/core/options.js'
import { refreshSession } from '../src/core/refresh-request.js'
import { measureClockSkew } from '../src/core/server-clock.js'
import type { Session } from '../src/core/session.js'

const issuer = 'https://login.example.com'
const metadata = { issuer, token_endpoint: `${issuer}/token` }
const now = () => Math.floor(Date.now() / 1000)
const hour = 3600

// As a JWT encodes it: the JSON's UTF-8 bytes, base64url.
const b64 = (value: unknown) =>
  btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(value))))
    .replace(/=+$/, '')
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
const idToken = (claims: Record<string, unknown>) =>
  `${b64({ alg: 'RS256' })}.${b64({ iss: issuer, aud: 'spa', sub: 'user-ada', ...claims })}.c2ln`

const tokenResponse = (claims: Record<string, unknown>, headers: Record<string, string> = {}) =>
  new Response(
    JSON.stringify({ access_token: 'at-2', token_type: 'Bearer', expires_in: 60, refresh_token: 'rt-2', id_token: idToken(claims) }),
    { headers: { 'content-type': 'application/json', ...headers } },
  )

/** Refreshes a session whose skew was measured at login, against a server that answers `response`. */
function refreshWith(response: Response, clockSkew?: number) {
  const options = resolveOptions({ issuer, clientId: 'spa', redirectUri: 'https://app.example.com/', metadata, fetch: async () => response })
  const session: Session = {
    accessToken: 'at-1',
    tokenType: 'bearer',
    receivedAt: Date.now(),
    refreshToken: 'rt-1',
    user: { iss: issuer, aud: 'spa', sub: 'user-ada', iat: now(), exp: now() + 300 },
    clockSkew,
  }
  return refreshSession(options, metadata, session, (request) => request({}), {})
}

describe('measureClockSkew', () => {
  it('reads the Date header when the browser exposes it', async () => {
    const serverNow = Date.now() + 2 * hour * 1000
    const response = tokenResponse({ iat: now() }, { date: new Date(serverNow).toUTCString() })
    expect(await measureClockSkew(response, true)).toBeCloseTo(2 * hour, -1)
  })

  it("else takes a login's ID token iat as the server's now, and leaves the body unread", async () => {
    const response = tokenResponse({ iat: now() - 5 * hour, exp: now() - 5 * hour + 300 })
    expect(await measureClockSkew(response, true)).toBeCloseTo(-5 * hour, -1)
    expect(response.bodyUsed).toBe(false)
    expect((await response.json()).access_token).toBe('at-2')
  })

  it('reads the iat of an ID token whose claims are not ASCII', async () => {
    const response = tokenResponse({ iat: now() - 5 * hour, exp: now() - 5 * hour + 300, name: 'Zoë 山田 🙂' })
    expect(await measureClockSkew(response, true)).toBeCloseTo(-5 * hour, -1)
  })

  it("never a refresh's ID token iat, which proves nothing about the time", async () => {
    expect(await measureClockSkew(tokenResponse({ iat: now() - 5 * hour }), false)).toBeUndefined()
  })
})

describe('ID token times on refresh, by the server clock', () => {
  it('a browser clock 5 hours ahead: the skew measured at login makes a fresh ID token valid', async () => {
    const serverNow = now() - 5 * hour
    const refreshed = await refreshWith(tokenResponse({ iat: serverNow, exp: serverNow + 300 }), -5 * hour)
    expect(refreshed.accessToken).toBe('at-2')
    expect(refreshed.clockSkew).toBe(-5 * hour)
  })

  it('a correct clock: an expired ID token is refused', async () => {
    await expect(refreshWith(tokenResponse({ iat: now() - 2 * hour, exp: now() - hour }), 0)).rejects.toThrow(/"exp"/)
  })

  it('a correct clock: an ID token not valid before an hour from now is refused', async () => {
    await expect(refreshWith(tokenResponse({ iat: now(), exp: now() + 2 * hour, nbf: now() + hour }), 0)).rejects.toThrow(/"nbf"/)
  })

  it('a readable Date header wins over the skew stored at login', async () => {
    // The login measured +5 h, but the server says now is now: the expired token is refused.
    const response = tokenResponse({ iat: now() - 2 * hour, exp: now() - hour }, { date: new Date().toUTCString() })
    await expect(refreshWith(response, 5 * hour)).rejects.toThrow(/"exp"/)
  })
})

describe('the skew has a bound (issue 18, finding 4)', () => {
  const year = 365 * 24 * hour
  it("refuses a login's ID token whose iat is years off: it is an old token, not a wrong clock", async () => {
    await expect(measureClockSkew(tokenResponse({ iat: now() - 10 * year }), true)).rejects.toMatchObject({ code: 'invalid_response' })
    await expect(measureClockSkew(tokenResponse({ iat: now() + 2 * 24 * hour }), true)).rejects.toMatchObject({ code: 'invalid_response' })
  })

  it('takes a day, and ignores a Date header further off than that (the skew measured before stays)', async () => {
    expect(await measureClockSkew(tokenResponse({ iat: now() - 24 * hour + 5 }), true)).toBeCloseTo(-24 * hour + 5, -1)
    const farDate = tokenResponse({ iat: now() }, { date: new Date(Date.now() + 3 * 24 * hour * 1000).toUTCString() })
    expect(await measureClockSkew(farDate, false)).toBeUndefined()
  })
})
