// Server-side rendering under Node with no DOM (this file runs in vitest's node environment), from
// the sources. scripts/consumers.mjs runs the same checks against the packed tarball.
import { describe, expect, it } from 'vitest'
import { checkServerRendering, renderCore, renderReact, renderVue } from '../consumers/ssr-check.mjs'

describe('server-side rendering (Node, no DOM)', () => {
  it('runs without a DOM', () => {
    expect(typeof window).toBe('undefined')
    expect(typeof indexedDB).toBe('undefined')
  })

  it('importing the package and creating a client give the loading state', async () => {
    expect(await renderCore()).toBe('<p id="status">loading</p>')
  })

  it('React: renderToString of <AuthProvider>, given a client or plain props with paths for URLs, renders the loading state', async () => {
    expect(await renderReact()).toBe('<p id="status">loading</p>'.repeat(2))
  })

  it('Vue: createSSRApp with the plugin renders the loading state', async () => {
    expect(await renderVue()).toBe('<p id="status">loading</p>')
  })

  it('prints nothing and leaves no BroadcastChannel open', async () => {
    expect(await checkServerRendering(['core', 'react', 'vue'])).toEqual([])
  })
})
