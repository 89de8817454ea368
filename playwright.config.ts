import { existsSync } from 'node:fs'
import { defineConfig } from '@playwright/test'
import type { PixieFixtures } from './e2e/helpers'

const CI = !!process.env.CI

/**
 * Browser selection:
 *  1. $CHROMIUM_PATH if set,
 *  2. Debian's /usr/bin/chromium if it exists (this machine and CI: Playwright cannot download browsers here),
 *  3. otherwise Playwright's own bundled Chromium (other machines, after `npx playwright install chromium`).
 */
function chromiumExecutable(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium'
  return undefined
}

const PROVIDER_ORIGIN = 'http://127.0.0.1:4010'
const APP_ORIGIN = 'http://localhost:5173'
/** oidc-provider (OpenID Certified) for e2e/oidc-provider.spec.ts: e2e/oidc-provider/server.mjs. */
const OIDC_PROVIDER_ORIGIN = 'http://127.0.0.1:4020'
/**
 * LemonLDAP::NG's portal (OpenID Certified) for e2e/lemonldap.spec.ts: e2e/lemonldap/server.pl, on
 * Debian's packages, which .ci/run installs. Started wherever they are installed, and always in CI,
 * where a missing package fails the run; elsewhere the spec skips and says what to install.
 */
const LEMONLDAP_ORIGIN = 'http://127.0.0.1:4030'
const LEMONLDAP = CI || existsSync('/usr/share/perl5/Lemonldap/NG/Portal.pm')
if (!LEMONLDAP && !process.env.TEST_WORKER_INDEX) {
  console.warn('LemonLDAP::NG is not installed: e2e/lemonldap.spec.ts skips (.ci/run lists its Debian packages)')
}
/** The example apps (examples/*) on vite dev servers: React runs StrictMode's double effects only in development. */
const EXAMPLES = [
  { name: 'vanilla', origin: 'http://localhost:5174' },
  { name: 'react', origin: 'http://localhost:5175' },
  { name: 'vue', origin: 'http://localhost:5176' },
]

/**
 * The suites run again with token isolation (issue 19): every harness page gets `isolation: true`
 * (Bearer), merged into each spec's own appConfig (e2e/helpers.ts `configureRun`); a spec's own
 * `dpop: true` makes it isolation with DPoP (so oidc-provider.spec.ts runs its DPoP tests that way).
 * Specs whose tests check what isolation changes read the `isolationMode` fixture. CI runs a subset
 * (about 8 minutes); PIXIE_E2E_ISOLATION=all adds frozen-tab.spec.ts and all of oidc-provider.spec.ts.
 * DPoP runs only against oidc-provider: the mock provider has no DPoP.
 */
const ALL_ISOLATION = process.env.PIXIE_E2E_ISOLATION === 'all'
const ISOLATION_SUITES = ['login', 'callback', 'refresh', 'tabs', 'logout', 'page-lifecycle', 'chaos']
const specs = (names: string[]) => names.map((name) => `**/${name}.spec.ts`)
const isolationProjects = [
  {
    name: 'isolation-bearer',
    testMatch: specs([...ISOLATION_SUITES, ...(ALL_ISOLATION ? ['frozen-tab', 'oidc-provider'] : [])]),
    use: { browserName: 'chromium' as const, isolationMode: 'bearer' as const },
  },
  // oidc-provider's DPoP and PAR tests (its real server's nonces and DPoP-bound tokens), with isolation.
  ...(ALL_ISOLATION
    ? []
    : [{ name: 'isolation-oidc-provider', testMatch: specs(['oidc-provider']), grep: /DPoP|PAR/, use: { browserName: 'chromium' as const, isolationMode: 'bearer' as const } }]),
  // One login through the portal: LemonLDAP::NG tells no test which tokens it issued.
  {
    name: 'isolation-lemonldap',
    testMatch: specs(['lemonldap']),
    grep: /login through the portal form/,
    use: { browserName: 'chromium' as const, isolationMode: 'bearer' as const },
  },
]

export default defineConfig<Pick<PixieFixtures, 'isolationMode'>>({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  // One worker: a 2-core machine, and every test shares (and resets) the single mock provider.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: CI,
  timeout: 30_000,
  expect: { timeout: 5_000 },
  // Hard upper bound for the whole run, so CI always ends by itself.
  globalTimeout: 35 * 60_000,
  // In CI also each test's duration, in test-results/e2e-timings.json: what to make faster first.
  reporter: CI ? [['line'], ['json', { outputFile: 'test-results/e2e-timings.json' }]] : [['list']],
  outputDir: 'test-results',
  use: {
    browserName: 'chromium',
    headless: true,
    baseURL: APP_ORIGIN,
    actionTimeout: 10_000,
    navigationTimeout: 15_000,
    trace: CI ? 'off' : 'retain-on-failure',
    launchOptions: {
      executablePath: chromiumExecutable(),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  projects: [
    { name: 'chromium', use: { browserName: 'chromium' } },
    ...isolationProjects,
  ],
  webServer: [
    {
      name: 'provider',
      command: 'node e2e/provider/mock-provider.mjs',
      url: `${PROVIDER_ORIGIN}/.well-known/openid-configuration`,
      reuseExistingServer: !CI,
      timeout: 30_000,
      stdout: 'pipe',
      stderr: 'pipe',
    },
    {
      name: 'app',
      command: 'node node_modules/vite/bin/vite.js --config e2e/app/vite.config.ts',
      url: `${APP_ORIGIN}/`,
      reuseExistingServer: !CI,
      timeout: 60_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      name: 'oidc-provider',
      command: 'node e2e/oidc-provider/server.mjs',
      url: `${OIDC_PROVIDER_ORIGIN}/.well-known/openid-configuration`,
      reuseExistingServer: !CI,
      timeout: 30_000,
      stdout: 'pipe',
      stderr: 'pipe',
    },
    ...(LEMONLDAP
      ? [
          {
            name: 'lemonldap',
            command: 'perl e2e/lemonldap/server.pl',
            url: `${LEMONLDAP_ORIGIN}/.well-known/openid-configuration`,
            reuseExistingServer: !CI,
            timeout: 30_000,
            stdout: 'pipe' as const,
            stderr: 'pipe' as const,
          },
        ]
      : []),
    ...EXAMPLES.map(({ name, origin }) => ({
      name: `${name} example`,
      command: `node e2e/serve-example.mjs ${name}`,
      url: `${origin}/`,
      reuseExistingServer: !CI,
      timeout: 60_000,
      stdout: 'ignore' as const,
      stderr: 'pipe' as const,
    })),
  ],
})
