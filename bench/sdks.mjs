// Who is compared: each SDK's adapter in bench/size/ does the same job (redirect login, callback,
// cached token, forced refresh, logout) with that SDK's own API. Every adapter is bundled for the
// size figures; those marked `browser` also run in Chromium against the mock provider (auth0-spa-js
// through a façade with Auth0's endpoint paths: see auth0-facade.mjs). `worker`: a file the page
// loads beside its bundle, as an app's bundler emits it; `phases`: the browser phases run, when not
// all (measure-browser.mjs).
export const SDKS = [
  { name: 'pixie-auth', adapter: 'bench/size/pixie-auth.js', browser: true },
  // Token isolation. Not the token-expiring tabs: Playwright's clock does not reach into workers, so
  // the worker's token never ages. Not the heap after N refreshes: forced refreshes are limited to
  // one per 10 s in this mode, and the page's heap is not where the work is.
  {
    name: 'pixie-auth-isolation',
    adapter: 'bench/size/pixie-auth-isolation.js',
    browser: true,
    worker: 'dist/isolation-worker.js',
    phases: ['oneTab', 'sharedSession'],
  },
  { name: 'auth0-spa-js', pkgs: ['@auth0/auth0-spa-js'], adapter: 'bench/size/auth0-spa-js.js', browser: true, auth0Facade: true },
  { name: 'oidc-client-ts', pkgs: ['oidc-client-ts'], adapter: 'bench/size/oidc-client-ts.js', browser: true },
  { name: 'msal-browser', pkgs: ['@azure/msal-browser'], adapter: 'bench/size/msal-browser.js' },
  { name: 'okta-auth-js', pkgs: ['@okta/okta-auth-js'], adapter: 'bench/size/okta-auth-js.js' },
  { name: 'keycloak-js', pkgs: ['keycloak-js'], adapter: 'bench/size/keycloak-js.js' },
  // The floor: pixie-auth's own two dependencies doing the job with no SDK around them.
  { name: 'oauth4webapi + idb-keyval', pkgs: ['oauth4webapi', 'idb-keyval'], adapter: 'bench/size/oauth4webapi-idb-keyval.js' },
]
