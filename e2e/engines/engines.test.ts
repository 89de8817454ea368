// Every flow of flows.ts in every engine: Chromium (CDP), Firefox ESR (WebDriver BiDi) and
// WebKitGTK (W3C WebDriver), the browsers Debian ships. Each test gets a fresh profile.
import { afterAll, beforeAll, describe, test } from 'vitest'
import type { Engine, Profile } from './driver'
import * as flows from './flows'
import { launchChromium, launchFirefox } from './puppeteer'
import { launchWebKit } from './webkit'

const ENGINES: [string, () => Promise<Engine>][] = [
  ['chromium', launchChromium],
  ['firefox', launchFirefox],
  ['webkit', launchWebKit],
]

const FLOWS: [string, (profile: Profile) => Promise<void>][] = [
  ['login through the provider page, the callback, a reload keeps the session', flows.loginCallbackReload],
  ['a replayed callback is invalid_state and keeps the session', flows.replayedCallback],
  ['an expired token in three tabs at once: one refresh request, the same new token everywhere', flows.oneRefreshAcrossTabs],
  ['DPoP (server nonces): login, a forced refresh and UserInfo with a non-extractable key', flows.dpopLoginRefresh],
  ['logout revokes, ends the provider session, clears storage and signs the other tab out', flows.logout],
  ['control: without navigator.locks the one-refresh check fails (the provider sees reuse)', flows.controlWithoutWebLocks],
]

describe.each(ENGINES)('%s', (_name, launch) => {
  let engine: Engine | undefined
  beforeAll(async () => {
    engine = await launch()
    console.log(`engine: ${engine.version}`)
  })
  afterAll(async () => {
    await engine?.close()
  })

  test.each(FLOWS)('%s', async (_title, flow) => {
    const profile = await engine!.newProfile()
    try {
      await flow(profile)
    } finally {
      await profile.close()
    }
  })
})
