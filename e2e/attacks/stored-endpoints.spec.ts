// Attack scenario 2, persistent token theft, issue 18 finding 1: a script that runs once rewrites
// the endpoints in the stored session record and leaves. Each later refresh would send the current
// refresh token to the attacker (who relays it, so the app keeps working and nobody notices), and
// the logout's revocation too, so the grant would never end. Required: server metadata comes from
// configuration or discovery of the configured issuer, never from storage.
import type { Page } from '@playwright/test'
import {
  LOGGED_OUT_URL,
  PROVIDER,
  USER_SUB,
  expect,
  getAccessToken,
  getStats,
  login,
  refreshTokenStatus,
  requireSession,
  settledState,
  test,
  waitForHarness,
  type TryResult,
} from '../helpers'
import { OP, test as opTest, login as opLogin, opStats, refreshTokenState } from '../oidc-provider/fixtures'
import { NAMESPACE, requestsAt, startAttackerServer, tamperStoredRecord, type AttackerServer } from './attacker'

const metadataOf = async (issuer: string) =>
  (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<string, string>

/** The endpoints a later load sends secrets to (or navigates to with one), moved to the attacker's origin. */
async function rewrittenEndpoints(issuer: string, attackerOrigin: string) {
  const metadata = await metadataOf(issuer)
  const names = ['token_endpoint', 'revocation_endpoint', 'end_session_endpoint', 'userinfo_endpoint']
  return Object.fromEntries(names.map((name) => [name, metadata[name].replace(new URL(metadata[name]).origin, attackerOrigin)]))
}

/** The page's POSTs to `endpoints` (CORS preflights aside): which of them it sent, in order, each once. */
function recordPostsTo(page: Page, endpoints: string[]) {
  const sent: string[] = []
  page.on('request', (request) => {
    const url = request.url().split('?')[0]
    if (request.method() === 'POST' && endpoints.includes(url) && !sent.includes(url)) sent.push(url)
  })
  return sent
}

interface Outcome {
  refresh: TryResult<string>
  /** Which of the provider's own token and revocation endpoints the page sent to after the reload. */
  direct: string[]
  /** The provider's token and revocation endpoints, from its discovery document. */
  real: string[]
  /** The session the refresh stored, as JSON. */
  rotated: string
  refreshToken: string
}

/**
 * The attack: log in, the script rewrites the stored endpoints once, then the app reloads, refreshes
 * and logs out (through the provider's end-session page: `endSession` finishes it).
 */
async function attackThenUseTheApp(
  page: Page,
  { issuer, sub }: { issuer: string; sub: string },
  attacker: AttackerServer,
  logIn: () => Promise<unknown>,
  endSession: () => Promise<void>,
) {
  await logIn()
  await tamperStoredRecord(page, issuer === OP ? NAMESPACE.op : NAMESPACE.mock, { endpoints: await rewrittenEndpoints(issuer, attacker.origin) })
  const { token_endpoint: token, revocation_endpoint: revocation } = await metadataOf(issuer)
  const direct = recordPostsTo(page, [token, revocation])
  await page.reload()
  await waitForHarness(page)
  expect(await settledState(page), 'the session after the reload').toMatchObject({ status: 'authenticated', user: { sub } })

  const refresh = await getAccessToken(page, { forceRefresh: true })
  const session = await requireSession(page)
  await page.evaluate(() => window.pixieStart(() => window.pixie.auth.logout()))
  await endSession()
  await page.waitForURL((url) => url.href.startsWith(LOGGED_OUT_URL), { timeout: 10_000 })
  return { refresh, direct, real: [token, revocation], rotated: JSON.stringify(session), refreshToken: session.refreshToken } satisfies Outcome
}

/** What must hold whoever the provider is: the attacker got nothing, and nothing stored names it. */
function expectAttackerGotNothing(attacker: AttackerServer, outcome: Outcome) {
  expect(requestsAt(attacker), "requests that reached the attacker's server (its copies of the refresh token and revocation)").toEqual([])
  expect(outcome.rotated, 'the rotated session carries the rewritten endpoints on').not.toContain(attacker.origin)
  expect(outcome.refresh, 'the refresh after the reload').toMatchObject({ ok: true })
  expect(outcome.direct, "the page's refresh and revocation, sent to the provider's own endpoints").toEqual(outcome.real)
}

test('finding 1, Bearer: endpoints rewritten once in the stored record get the attacker nothing: refresh, revocation and end-session go to the provider', async ({
  page,
}) => {
  const attacker = await startAttackerServer(PROVIDER)
  try {
    const outcome = await attackThenUseTheApp(page, { issuer: PROVIDER, sub: USER_SUB }, attacker, () => login(page), async () => {})
    expectAttackerGotNothing(attacker, outcome)
    expect(await refreshTokenStatus(outcome.refreshToken), 'the refresh token after logout').toBe('revoked')
    const stats = await getStats()
    expect(stats.tokenRequests.refresh_token).toBe(1)
    expect(stats.endSessions).toBe(1)
    expect(stats.lastEndSession).toMatchObject({ client_id: 'pixie-e2e' })
    expect(await page.evaluate(() => window.pixie.auth.getUser())).toBeUndefined()
  } finally {
    await attacker.close()
  }
})

opTest.describe('dpop()', () => {
  opTest.use({ appConfig: { dpop: true } })

  opTest('finding 1, dpop(): endpoints rewritten once in the stored record get the attacker nothing: refresh, revocation and end-session go to the provider', async ({
    page,
  }) => {
    const attacker = await startAttackerServer(OP)
    try {
      const outcome = await attackThenUseTheApp(page, { issuer: OP, sub: 'ada' }, attacker, () => opLogin(page), async () => {
        // oidc-provider asks the user to confirm on its own page.
        await page.waitForURL((url) => url.origin === OP, { timeout: 10_000 })
        await page.locator('#logout').click()
      })
      expectAttackerGotNothing(attacker, outcome)
      expect(await refreshTokenState(outcome.refreshToken), 'the refresh token after logout').toBe('unknown')
      const stats = await opStats()
      expect(stats.tokenRequests.refresh_token).toBe(1)
      expect(stats.endSessions).toBe(1)
    } finally {
      await attacker.close()
    }
  })
})
