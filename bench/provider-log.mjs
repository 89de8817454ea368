// Round trips as the provider saw them: its request log, including CORS preflights.

const SETTLE_MS = 150 // the provider logs a request when its response closes, just after the client has it

const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS))

/** Runs `action` and returns the provider's log entries for requests that ended meanwhile. */
export async function requestsDuring(provider, action) {
  const since = Date.now()
  await action()
  await settle()
  return provider.state.log.filter((entry) => entry.t >= since)
}

/** 'POST /token (refresh_token)' and the like. */
export const describeRequest = ({ method, path, grantType }) => `${method} ${path}${grantType ? ` (${grantType})` : ''}`

/** A login's requests split at the navigation to /authorize: what the SDK did before leaving, and after coming back. */
export function splitAtAuthorize(entries) {
  const at = entries.findIndex((entry) => entry.path === '/authorize')
  if (at < 0) return { before: entries.map(describeRequest), after: [] }
  return { before: entries.slice(0, at).map(describeRequest), after: entries.slice(at + 1).map(describeRequest) }
}
