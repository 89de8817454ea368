// Server-side rendering with pixie-auth under Node, with no DOM: importing the package and every
// feature entry, creating a client with every plug-in, React's `renderToString` of <AuthProvider>, and Vue's `createSSRApp` with the plugin. Each
// must render the loading state, print nothing (no storage warning) and leave nothing running (an
// open BroadcastChannel would keep a server's process alive, one more per request).
//
// Run by test/ssr.test.ts against the sources, and by scripts/consumers.mjs inside each consumer app
// against the packed tarball: `node ssr-check.mjs core react` (the bare imports resolve in whatever
// node_modules sits next to this file).

/**
 * Options of a client for a server render: any issuer will do, nothing is fetched. The app's URLs
 * are paths, as code made at module scope in a Next.js app gives them: there is no page origin yet.
 */
const OPTIONS = { issuer: 'https://login.example.com', clientId: 'my-spa', redirectUri: '/callback', postLogoutRedirectUri: '/' }

/**
 * The core and the feature entries: each imports under Node, and a client made there with every
 * plug-in (and a `createFetch` for it) starts `loading`, and its state renders as such.
 */
export async function renderCore() {
  const [{ createAuthClient }, { dpop }, { par }, { resourceIndicators }, { silentLogin }, { createFetch }, popup, userinfo] =
    await Promise.all([
      import('pixie-auth'),
      import('pixie-auth/dpop'),
      import('pixie-auth/par'),
      import('pixie-auth/resource'),
      import('pixie-auth/silent-login'),
      import('pixie-auth/fetch'),
      import('pixie-auth/popup'),
      import('pixie-auth/userinfo'),
    ])
  const plugins = { dpop: dpop(), par: par(), resource: resourceIndicators('https://api.example.com/'), silentLogin: silentLogin() }
  const client = createAuthClient({ ...OPTIONS, ...plugins })
  const actions = [createFetch(client), popup.loginWithPopup, popup.handlePopupCallback, userinfo.fetchUser]
  if (!actions.every((action) => typeof action === 'function')) return 'a feature entry lacks its functions'
  return `<p id="status">${client.getState().status}</p>`
}

/**
 * React: `renderToString(<AuthProvider client={auth}><Status /></AuthProvider>)`, then with the
 * options as plain props, as a Next.js server layout renders it: `<AuthProvider {...OPTIONS}>`.
 */
export async function renderReact() {
  const [{ createAuthClient }, { AuthProvider, useAuth }, { createElement }, { renderToString }] = await Promise.all([
    import('pixie-auth'),
    import('pixie-auth/react'),
    import('react'),
    import('react-dom/server'),
  ])
  const Status = () => createElement('p', { id: 'status' }, useAuth().status)
  return [{ client: createAuthClient(OPTIONS) }, OPTIONS]
    .map((props) => renderToString(createElement(AuthProvider, props, createElement(Status))))
    .join('')
}

/** Vue: `createSSRApp(Status).use(createAuth(options))`, rendered with `vue/server-renderer`. */
export async function renderVue() {
  const [{ createAuth, useAuth }, { createSSRApp, h }, { renderToString }] = await Promise.all([
    import('pixie-auth/vue'),
    import('vue'),
    import('vue/server-renderer'),
  ])
  const Status = {
    setup() {
      const { status } = useAuth()
      return () => h('p', { id: 'status' }, status.value)
    },
  }
  return renderToString(createSSRApp(Status).use(createAuth(OPTIONS)))
}

const RENDERERS = { core: renderCore, react: renderReact, vue: renderVue }

/**
 * Renders with each named renderer and returns what went wrong (empty: all good): HTML without the
 * loading state, anything written to the console, handles left open.
 */
export async function checkServerRendering(names) {
  const problems = []
  const printed = []
  const saved = { warn: console.warn, error: console.error }
  console.warn = console.error = (...args) => printed.push(args.map(String).join(' '))
  const handlesBefore = openMessagePorts()
  try {
    for (const name of names) {
      const html = await RENDERERS[name]()
      if (!html.includes('<p id="status">loading</p>')) problems.push(`${name}: not the loading state: ${html}`)
    }
  } finally {
    Object.assign(console, saved)
  }
  // Whatever the render started (a storage read) settles within a few ticks.
  await new Promise((resolve) => setTimeout(resolve, 50))
  for (const line of printed) problems.push(`printed: ${line}`)
  const leftOpen = openMessagePorts() - handlesBefore
  if (leftOpen > 0) problems.push(`${leftOpen} BroadcastChannel/MessagePort left open`)
  return problems
}

function openMessagePorts() {
  return process.getActiveResourcesInfo().filter((name) => name === 'MessagePort').length
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const names = process.argv.slice(2)
  const unknown = names.filter((name) => !Object.hasOwn(RENDERERS, name))
  if (!names.length || unknown.length) {
    console.error(`usage: node ssr-check.mjs ${Object.keys(RENDERERS).join('|')}...`)
    process.exit(2)
  }
  const problems = await checkServerRendering(names)
  for (const problem of problems) console.error(`FAIL ssr: ${problem}`)
  if (!problems.length) console.log(`ssr: ${names.join(', ')} render the loading state under Node, quietly, leaving nothing open`)
  process.exitCode = problems.length ? 1 : 0
}
