// Token isolation, first proof: a Bearer login through the worker, in Chromium.
import { expect, getAccessToken, login, openApp, readIdb, settledState, test } from '../helpers'

test.use({ appConfig: { isolation: true } })

test('Bearer: login, token and a second tab through the SharedWorker; no refresh token stored', async ({ page, context }) => {
  const { user } = await login(page)
  expect(user.sub).toBeTruthy()
  const token = await getAccessToken(page)
  expect(token.ok, JSON.stringify(token)).toBe(true)
  const stored = JSON.stringify(await readIdb(page))
  expect(stored).not.toContain('refresh')
  const second = await context.newPage()
  await openApp(second)
  expect((await settledState(second)).status).toBe('authenticated')
})
