// Adapter for the engines puppeteer-core drives: Debian's Chromium (over CDP) and Debian's Firefox
// ESR (over WebDriver BiDi, the only remote protocol Firefox still speaks). Both are the stock
// executables: puppeteer-core downloads no browser.
import puppeteer, { type LaunchOptions, type Page } from 'puppeteer-core'
import type { Engine, InPage, Profile, Tab } from './driver'

/** Every command to the browser ends by then, so a hung engine fails the test instead of the run. */
const COMMAND_TIMEOUT_MS = 20_000

function tab(page: Page): Tab {
  page.setDefaultTimeout(COMMAND_TIMEOUT_MS)
  page.setDefaultNavigationTimeout(COMMAND_TIMEOUT_MS)
  return {
    goto: async (url) => {
      await page.goto(url, { waitUntil: 'load' })
    },
    evaluate: <A, R>(fn: InPage<A, R>, arg: A) => page.evaluate(fn as (arg: unknown) => unknown, arg) as Promise<R>,
    click: (selector) => page.click(selector),
  }
}

/** Launches a stock executable headless, every protocol command bounded. */
async function launch(name: string, options: LaunchOptions): Promise<Engine> {
  const browser = await puppeteer.launch({ ...options, headless: true, timeout: 60_000, protocolTimeout: COMMAND_TIMEOUT_MS })
  return {
    name,
    version: await browser.version(),
    newProfile: async (): Promise<Profile> => {
      const context = await browser.createBrowserContext()
      return { newTab: async () => tab(await context.newPage()), close: () => context.close() }
    },
    close: () => browser.close(),
  }
}

/** Debian's Chromium over CDP. `executablePath` as playwright.config.ts picks it. */
export const launchChromium = (executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium') =>
  launch('chromium', {
    browser: 'chrome',
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  })

/** Debian's Firefox ESR over WebDriver BiDi. */
export const launchFirefox = (executablePath = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr') =>
  launch('firefox', { browser: 'firefox', executablePath })
