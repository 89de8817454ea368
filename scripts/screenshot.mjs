// `npm run screenshot`: runs the demo (React example, live panel), logs in, opens three more tabs
// with the panel's button, waits for their one shared refresh and saves the first tab as
// docs/demo.png, the picture in the README. Fails on any console error in any tab, or when the
// four tabs sent anything but one refresh request. Run it again whenever the demo changes.
import { chromium } from '@playwright/test'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { DEMO_ACCESS_TOKEN_TTL, startDemo } from './demo.mjs'

const OUTPUT = fileURLToPath(new URL('../docs/demo.png', import.meta.url))
const TABS = 4
const executablePath = process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined)

const demo = await startDemo('react')
const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] })
const errors = []
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, deviceScaleFactor: 1 })
  context.on('console', (message) => message.type() === 'error' && errors.push(`${message.location().url}: ${message.text()}`))
  context.on('weberror', (error) => errors.push(error.error().message))
  context.setDefaultTimeout(15_000)

  const page = await context.newPage()
  await page.goto(demo.url)
  await page.getByRole('button', { name: 'Log in' }).click()
  await page.locator('#approve').click() // the provider's login page
  await page.locator('#status').getByText('authenticated', { exact: true }).waitFor()

  for (let opened = 1; opened < TABS; opened += 1) {
    const [tab] = await Promise.all([context.waitForEvent('page'), page.locator('#panel-open-tab').click()])
    await tab.locator('#status').getByText('authenticated', { exact: true }).waitFor()
  }
  await page.bringToFront()
  await page.locator('#panel-tabs').getByText(String(TABS), { exact: true }).waitFor()

  // The tabs meet at half the token's lifetime; wait for the refresh, then for every panel to show it.
  await page.locator('#panel-refreshes').getByText('1', { exact: true }).waitFor({ timeout: (DEMO_ACCESS_TOKEN_TTL + 5) * 1000 })
  await page.waitForTimeout(2500)
  const stats = await (await fetch(`${demo.provider.url}/__control/stats`)).json()
  if (stats.tokenRequests.refresh_token !== 1 || stats.reuseDetections !== 0) {
    throw new Error(`${TABS} tabs sent ${stats.tokenRequests.refresh_token} refresh requests (${stats.reuseDetections} reuse detections); expected 1`)
  }
  // Every panel shows every tab's events: one tab sent the refresh, the three others took its tokens.
  const events = await page.locator('#panel-log li').allInnerTexts()
  if (process.env.DEBUG) console.log(events.join('\n'))
  const refreshed = events.filter((event) => event.includes('sends the refresh request')).length
  const synced = events.filter((event) => event.includes('took the new tokens from another tab')).length
  if (refreshed !== 1 || synced !== TABS - 1) throw new Error(`${refreshed} tabs refreshed, ${synced} took the tokens from another; expected 1 and ${TABS - 1}`)
  if (errors.length) throw new Error(`console errors:\n${errors.join('\n')}`)

  await page.screenshot({ path: OUTPUT })
  console.log(`screenshot: ${OUTPUT} (${TABS} tabs, 1 refresh request, no console error)`)
} finally {
  await browser.close()
  await demo.close()
}
