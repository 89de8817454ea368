// For SDKs that leave it to the app to notice that the page is an authorization response.
export function isCallbackUrl() {
  const query = new URLSearchParams(location.search)
  return query.has('state') && (query.has('code') || query.has('error'))
}

/** Drops the response from the address bar, so a reload does not replay it. */
export function cleanCallbackUrl() {
  history.replaceState(null, '', location.pathname)
}
