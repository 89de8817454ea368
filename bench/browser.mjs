// Chromium for the bench, chosen as the e2e tests choose it, and contexts whose pages know the
// bench settings and count storage reads from their first line of script.
import { chromium } from '@playwright/test'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const COUNT_STORAGE_READS = fileURLToPath(new URL('./page/count-storage-reads.js', import.meta.url))

/** $CHROMIUM_PATH, else Debian's /usr/bin/chromium if present, else Playwright's own browser. */
export function launchChromium() {
  const debian = '/usr/bin/chromium'
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? (existsSync(debian) ? debian : undefined),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  })
}

/**
 * Runs `body(context)` in a fresh context (empty storage) whose bench pages call
 * createJob(settings), and closes it afterwards. After `timeLimitMs` it gives up: closing the
 * context ends whatever the body still waits for in its pages.
 */
export async function inBenchContext(browser, settings, timeLimitMs, body) {
  const context = await browser.newContext()
  context.setDefaultTimeout(15_000)
  let timer
  try {
    await context.addInitScript((value) => {
      window.benchSettings = value
    }, settings)
    await context.addInitScript({ path: COUNT_STORAGE_READS })
    const giveUp = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`gave up after ${timeLimitMs / 1000} s`)), timeLimitMs)
    })
    return await Promise.race([body(context), giveUp])
  } finally {
    clearTimeout(timer)
    await context.close()
  }
}
