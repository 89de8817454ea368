// Attack scenario 4 (draft-ietf-oauth-browser-based-apps §5.1.4): proxying requests through the
// user's browser, and token-origin leakage (RFC 9700 §4.9, §4.10). While a script runs on the origin,
// it can call the APIs the app can, through createFetch() or getAccessToken(): pixie-auth cannot
// tell it from the app (an honest limit, with dpop() too: the key signs for it). What it must never
// do is send the token to an origin the app did not allow: an attacker's, a lookalike of an allowed
// one, or one an injected <base href> points relative URLs at.
//
// Lookalikes on loopback: Chromium resolves every *.localhost name to loopback, so the attacker's one
// server answers `api.localhost` (allowed) and the lookalikes, and its Host header says which was asked.
import type { Page } from '@playwright/test'
import { APP, PROVIDER, USER_SUB, configureApp, expect, login, requireSession, test } from '../helpers'
import { OP, test as opTest, login as opLogin } from '../oidc-provider/fixtures'
import { startAttackerServer, type AttackerServer } from './attacker'

/** What the script gets by proxying through the app: the API's answers, with the app's own token. */
function proxyThroughApp(page: Page, url: string) {
  return page.evaluate(
    async (api) => ({
      viaCreateFetch: await window.pixieTry(async () => {
        const response = await window.pixie.fetch(api)
        return { status: response.status, body: (await response.json()) as { sub?: string } }
      }),
      // getAccessToken() hands out the token itself, to send wherever the script likes while it runs.
      token: await window.pixieTry(() => window.pixie.auth.getAccessToken()),
    }),
    url,
  )
}

/** The allowed API origin on the attacker's server, and lookalikes of it that must get no token. */
function origins(attacker: AttackerServer) {
  const port = new URL(attacker.origin).port
  return {
    allowed: `http://api.localhost:${port}`,
    lookalikes: [
      attacker.origin, // the attacker's own
      `http://api.localhost.evil.localhost:${port}`, // api.example.com.evil.net
      `http://evil-api.localhost:${port}`, // a sibling name
      `http://api.localhost:${Number(port) + 1}`, // another port
    ],
  }
}

/**
 * The script asks createFetch() for each lookalike, with a URL string and with `//host`, then
 * injects `<base href>` pointing at the attacker and asks for a relative URL. Returns each outcome.
 */
async function tryToLeak(page: Page, lookalikes: string[], attackerOrigin: string) {
  const outcomes = await page.evaluate(
    (targets) => Promise.all(targets.flatMap((origin) => [`${origin}/api/me`, `//${new URL(origin).host}/api/me`]).map((url) => window.pixieTry(async () => (await window.pixie.fetch(url)).status))),
    lookalikes,
  )
  await page.evaluate((href) => document.head.insertAdjacentHTML('afterbegin', `<base href="${href}/">`), attackerOrigin)
  const relative = await page.evaluate(() => window.pixieTry(async () => (await window.pixie.fetch('/api/me')).url))
  return { outcomes, relative }
}

/** What reached the attacker's server carrying a token, by host name. */
const authorizedHosts = (attacker: AttackerServer) => attacker.received.filter((r) => r.authorization).map((r) => `${r.host} ${r.authorization?.split(' ')[0]}`)

async function expectNoLeak(page: Page, attacker: AttackerServer, scheme: string) {
  const { allowed, lookalikes } = origins(attacker)
  // The positive control: the allowed origin, on the same server, does get the token.
  const control = await page.evaluate((url) => window.pixieTry(async () => (await window.pixie.fetch(url)).status), `${allowed}/api/me`)
  expect(control).toEqual({ ok: true, value: 200 })

  const { outcomes, relative } = await tryToLeak(page, lookalikes, attacker.origin)
  for (const outcome of outcomes) expect(outcome).toMatchObject({ ok: false, error: { isAuthError: true, code: 'config_error' } })
  expect(relative, 'a relative URL after <base href> was injected').toEqual({ ok: true, value: `${APP}/api/me` })
  expect(authorizedHosts(attacker), 'requests that reached the attacker with a token').toEqual([`${new URL(allowed).host} ${scheme}`])
}

test.describe('Bearer', () => {
  test('while the script runs it calls the API through createFetch() and takes the token from getAccessToken(): the SDK cannot tell it from the app', async ({
    page,
  }) => {
    await configureApp(page, { allowedOrigins: [PROVIDER] })
    await login(page)
    const { accessToken } = await requireSession(page)
    const got = await proxyThroughApp(page, `${PROVIDER}/api/me`)
    expect(got.viaCreateFetch).toMatchObject({ ok: true, value: { status: 200, body: { sub: USER_SUB } } })
    expect(got.token).toEqual({ ok: true, value: accessToken })
  })

  test('token-origin leakage: createFetch() sends the token to no attacker origin, lookalike or <base href> target', async ({ page }) => {
    const attacker = await startAttackerServer()
    try {
      await configureApp(page, { allowedOrigins: [origins(attacker).allowed] })
      await login(page)
      await expectNoLeak(page, attacker, 'Bearer')
    } finally {
      await attacker.close()
    }
  })
})

opTest.describe('dpop()', () => {
  opTest.use({ appConfig: { dpop: true, allowedOrigins: [OP] } })

  opTest('while the script runs, createFetch() signs DPoP proofs for its calls (the key is usable, not exportable); getAccessToken() hands out a token useless without the key', async ({
    page,
  }) => {
    await opLogin(page)
    const { accessToken } = await requireSession(page)
    const got = await proxyThroughApp(page, `${OP}/me`)
    expect(got.viaCreateFetch).toMatchObject({ ok: true, value: { status: 200, body: { sub: 'ada' } } })
    expect(got.token).toEqual({ ok: true, value: accessToken })
  })

  opTest('token-origin leakage: createFetch() sends the DPoP token to no attacker origin, lookalike or <base href> target', async ({ page }) => {
    const attacker = await startAttackerServer()
    try {
      await configureApp(page, { issuer: OP, dpop: true, allowedOrigins: [OP, origins(attacker).allowed] })
      await opLogin(page)
      await expectNoLeak(page, attacker, 'DPoP')
    } finally {
      await attacker.close()
    }
  })
})
