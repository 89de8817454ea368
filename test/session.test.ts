import * as oauth from 'oauth4webapi'
import { describe, expect, it } from 'vitest'
import { isFresh, isUsable, readSession, sessionFromTokens, writeSession, type Session } from '../src/core/session.js'
import { memoryStore } from '../src/core/storage.js'

const tokens = (fields: Record<string, unknown>) => ({ token_type: 'bearer', ...fields }) as oauth.TokenEndpointResponse

describe('sessionFromTokens', () => {
  it('counts expiry from the local receipt time, not the server clock', () => {
    const session = sessionFromTokens(tokens({ access_token: 'at', expires_in: 300 }), undefined, 1_000_000)
    expect(session.expiresAt).toBe(1_000_000 + 300_000)
    expect(session.receivedAt).toBe(1_000_000)
  })

  it('keeps the old refresh token, ID token and user when the server sends none', () => {
    const previous = sessionFromTokens(tokens({ access_token: 'a1', refresh_token: 'r1', id_token: undefined }))
    const withUser: Session = { ...previous, idToken: 'id1', user: { iss: 'i', sub: 's', aud: 'spa', iat: 1, exp: 2 } }
    const next = sessionFromTokens(tokens({ access_token: 'a2', expires_in: 60 }), withUser)
    expect(next).toMatchObject({ accessToken: 'a2', refreshToken: 'r1', idToken: 'id1', user: withUser.user })
  })

  it('takes the rotated refresh token when the server sends one', () => {
    const previous = sessionFromTokens(tokens({ access_token: 'a1', refresh_token: 'r1' }))
    expect(sessionFromTokens(tokens({ access_token: 'a2', refresh_token: 'r2' }), previous).refreshToken).toBe('r2')
  })
})

describe('isFresh', () => {
  const session = (lifetimeSeconds: number): Session => ({
    accessToken: 'at',
    tokenType: 'bearer',
    receivedAt: 0,
    expiresAt: lifetimeSeconds * 1000,
  })

  it('is stale within the leeway of expiry', () => {
    expect(isFresh(session(3600), 60, 3_539_000)).toBe(true)
    expect(isFresh(session(3600), 60, 3_541_000)).toBe(false)
  })

  it('caps the leeway at half the lifetime, so short-lived tokens are still used', () => {
    expect(isFresh(session(30), 60, 10_000)).toBe(true)
    expect(isFresh(session(30), 60, 16_000)).toBe(false)
  })

  it('treats a token without expires_in as fresh', () => {
    expect(isFresh({ ...session(1), expiresAt: undefined }, 60, 1e12)).toBe(true)
  })

  it('restores only sessions that can still give an access token', () => {
    expect(isUsable(session(10), 5_000)).toBe(true)
    expect(isUsable(session(10), 11_000)).toBe(false)
    expect(isUsable({ ...session(10), refreshToken: 'rt' }, 11_000)).toBe(true)
  })
})

describe('session records', () => {
  const session = sessionFromTokens(tokens({ access_token: 'a1', refresh_token: 'r1' }))

  it('gives every write and deletion a version above the stored one and the one this tab knows', async () => {
    const store = memoryStore()
    expect(await readSession(store, 'ns')).toEqual({ version: 0 })
    expect(await writeSession(store, 'ns', { session }, -1, 0)).toEqual({ version: 1, session })
    // A tab that saw version 7 (its store fell back to memory, say) never writes below it.
    expect(await writeSession(store, 'ns', { session }, 7, 0)).toEqual({ version: 8, session })
    // A deletion keeps only its version, so the next write is still newer.
    expect(await writeSession(store, 'ns', {}, 0, 0)).toEqual({ version: 9 })
    expect(await readSession(store, 'ns')).toEqual({ version: 9 })
    expect((await writeSession(store, 'ns', { session }, 0, 0)).version).toBe(10)
  })

  it('starts versions from the clock, so a wiped store still writes above what open tabs hold', async () => {
    const before = memoryStore()
    const held = (await writeSession(before, 'ns', { session }, -1, 1_000)).version
    expect(held).toBe(1_000)
    // The store is wiped (or a new tab reads another, empty one); a later write knows nothing of 1000.
    expect((await writeSession(memoryStore(), 'ns', {}, 0, 1_001)).version).toBeGreaterThan(held)
    // A clock set back never makes a version go down.
    expect((await writeSession(before, 'ns', { session }, 0, 500)).version).toBe(1_001)
  })

  it('reads the bare session 0.1.0 stored as version 0, so an upgrade keeps the user signed in', async () => {
    const store = memoryStore()
    await store.set('session:ns', session)
    expect(await readSession(store, 'ns')).toEqual({ version: 0, session })
    expect((await writeSession(store, 'ns', { session }, 0, 0)).version).toBe(1)
  })
})

describe('stored records are checked (issue 18, finding 2)', () => {
  const session = sessionFromTokens(tokens({ access_token: 'a1', refresh_token: 'r1' }))

  for (const version of [Infinity, NaN, 1e300, -5, 1.5, '42', null, Date.now() + 400 * 24 * 3600 * 1000]) {
    it(`counts a version of ${String(version)} as none, so the next write is still ordered`, async () => {
      const store = memoryStore()
      await store.set('session:ns', { version, session })
      expect(await readSession(store, 'ns')).toEqual({ version: 0, session })
      const next = await writeSession(store, 'ns', {}, 0, 1_000)
      expect(next.version).toBe(1_000)
      expect(await readSession(store, 'ns')).toEqual({ version: 1_000 })
    })
  }

  it("drops a session without a session's shape, or with a clock skew past a day, and keeps the version", async () => {
    const store = memoryStore()
    for (const bad of [{ ...session, accessToken: 42 }, { ...session, receivedAt: 'now' }, { ...session, clockSkew: 86_401 }, 'session']) {
      await store.set('session:ns', { version: 7, session: bad })
      expect(await readSession(store, 'ns')).toEqual({ version: 7 })
    }
    await store.set('session:ns', { version: 7, session: { ...session, clockSkew: -86_400 } })
    expect((await readSession(store, 'ns')).session?.clockSkew).toBe(-86_400)
  })
})
