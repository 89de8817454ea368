/**
 * The path to go back to after a login: `appState.returnTo`, only when it stays on `origin`.
 * Returns it as `pathname + search + hash`, or `undefined` when it is absent or would leave the
 * app: another origin (`https://evil.com`, `//evil.com`, `/\evil.com`), another scheme
 * (`javascript:`, `data:`, `blob:`), or a path that a router or browser would read as another host.
 * `appState` comes back from storage, so it is checked like any input, never trusted.
 *
 * @example
 * ```ts
 * returnToPath({ returnTo: '/orders?page=2' }, 'https://app.example.com') // '/orders?page=2'
 * returnToPath({ returnTo: '//evil.com' }, 'https://app.example.com')     // undefined
 * ```
 */
export function returnToPath(appState: unknown, origin: string): string | undefined {
  const returnTo = (appState as { returnTo?: unknown } | null | undefined)?.returnTo
  if (typeof returnTo !== 'string' || !URL.canParse(returnTo, origin)) return undefined
  // Resolving as the browser would settles every trick at once: backslashes, tabs and newlines
  // inside the scheme or host, leading spaces, scheme-relative URLs, other schemes.
  const target = new URL(returnTo, origin)
  const app = new URL(origin)
  // Both: a `blob:` URL reports the origin of the URL inside it.
  if (target.origin !== app.origin || target.protocol !== app.protocol) return undefined
  // `/.//evil.com` normalizes to the path `//evil.com`, which is scheme-relative once handed on.
  if (target.pathname.startsWith('//')) return undefined
  return target.pathname + target.search + target.hash
}

/**
 * Goes back to `appState.returnTo` after a login, when {@link returnToPath} accepts it for the
 * current origin; otherwise stays where the redirect landed. `navigate` defaults to
 * `history.replaceState`, which a client-side router does not notice: pass the router's own
 * replace-navigation instead.
 *
 * @example
 * ```ts
 * const { appState } = await auth.handleRedirectCallback()
 * restoreReturnTo(appState)                                              // no router
 * restoreReturnTo(appState, (path) => router.navigate(path, { replace: true })) // React Router
 * ```
 */
export function restoreReturnTo(
  appState: unknown,
  navigate: (path: string) => unknown = (path) => history.replaceState(history.state, '', path),
): void {
  const path = returnToPath(appState, location.origin)
  if (path !== undefined) navigate(path)
}
