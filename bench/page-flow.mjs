// Driving a bench page: open it, and the two journeys that leave for the provider and come back
// (login, logout). Every wait is bounded by the context's default timeout.

/** The page's start-up result: `{ authenticated, ms, scriptMs, storageReads }` or `{ error }`. */
export const startUpResult = (page) => page.evaluate(() => window.bench.started)

export async function openBenchPage(context, url) {
  const page = await context.newPage()
  await page.goto(url)
  return { page, startUp: await startUpResult(page) }
}

/**
 * Runs `trigger` in the page, which navigates away, and waits until the browser is back on `url`
 * after passing through a request whose path matches `via`, and the page has started again.
 */
async function leaveAndComeBack(page, url, trigger, via) {
  let passed = false
  const onRequest = (request) => {
    if (via.test(new URL(request.url()).pathname)) passed = true
  }
  page.on('request', onRequest)
  try {
    const back = page.waitForEvent('framenavigated', {
      predicate: (frame) => passed && frame === page.mainFrame() && frame.url().startsWith(url),
    })
    await page.evaluate(trigger)
    await back
    await page.waitForLoadState('load')
    return await startUpResult(page)
  } finally {
    page.off('request', onRequest)
  }
}

/** Logs in through the provider (which approves at once) and back; throws unless it worked. */
export async function logIn(page, url) {
  const result = await leaveAndComeBack(page, url, () => void window.bench.login(), /\/authorize$/)
  if (!result.authenticated) throw new Error(`login did not complete: ${result.error ?? 'not authenticated after the callback'}`)
  return result
}

/** Logs out through the provider's end-session endpoint and back; throws unless it worked. */
export async function logOut(page, url) {
  const result = await leaveAndComeBack(page, url, () => void window.bench.logout(), /\/(end-session|v2\/logout)$/)
  if (result.authenticated !== false) throw new Error(`logout did not complete: ${result.error ?? 'still authenticated'}`)
  return result
}
