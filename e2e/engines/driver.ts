// The tiny browser interface every flow of the cross-engine suite is written against, once. Each
// engine has an adapter: puppeteer.ts (Chromium over CDP, Firefox over WebDriver BiDi) and
// webkit.ts (WebKitGTK over W3C WebDriver). Nothing here may need more than all three can do: no
// init scripts and no request interception (WebDriver classic has neither), so the flows learn what
// happened from the page itself and from the servers' counters.

/**
 * A function sent to the page as source text and run there: it must be self-contained (no closure
 * over test code) and take one JSON argument; its result, awaited, comes back as JSON.
 */
export type InPage<A, R> = (arg: A) => R | Promise<R>

/** One browser tab. */
export interface Tab {
  /** Navigates and resolves once the page has loaded. */
  goto(url: string): Promise<void>
  /** Runs `fn(arg)` in the page and resolves with its (awaited) result. */
  evaluate<A, R>(fn: InPage<A, R>, arg: A): Promise<R>
  /** Clicks the first element matching a CSS selector, as a user would. */
  click(selector: string): Promise<void>
}

/** A browser profile of its own (cookies, storage): tabs opened in one share its origin's storage. */
export interface Profile {
  newTab(): Promise<Tab>
  close(): Promise<void>
}

/** One running engine. */
export interface Engine {
  /** 'chromium', 'firefox' or 'webkit'. */
  readonly name: string
  /** What the engine reports about itself, e.g. 'firefox/153.8.0'. */
  readonly version: string
  /** A fresh profile: nothing stored from an earlier test. */
  newProfile(): Promise<Profile>
  close(): Promise<void>
}

/**
 * Polls `fn(arg)` in the page until it returns something truthy, and returns that, for at most
 * `timeoutMs`. A page that is navigating answers with an error meanwhile (its document is going
 * away): that counts as "not yet". On timeout, throws with `what` and the last answer or error.
 */
export async function waitFor<A, R>(
  tab: Tab,
  what: string,
  fn: InPage<A, R>,
  arg: A,
  timeoutMs = 10_000,
): Promise<Exclude<R, false | null | undefined | 0 | ''>> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      last = await tab.evaluate(fn, arg)
      if (last) return last as Exclude<R, false | null | undefined | 0 | ''>
    } catch (error) {
      last = error
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${String(last)}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
