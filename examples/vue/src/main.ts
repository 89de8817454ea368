import { createAuth, createAuthGuard } from 'pixie-auth/vue'
import { createApp } from 'vue'
import { createRouter, createWebHistory } from 'vue-router'
import { createDemoPanel } from '../../demo-panel/panel'
import App from './App.vue'
import LoginFailedPage from './LoginFailedPage.vue'
import ProtectedPage from './ProtectedPage.vue'
import PublicPage from './PublicPage.vue'

const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', component: PublicPage },
    { path: '/protected', component: ProtectedPage, meta: { requiresAuth: true } },
    { path: '/login-failed', component: LoginFailedPage },
  ],
})
// A protected route logs in first; after a failed login (the user refused) it shows /login-failed.
router.beforeEach(createAuthGuard({ errorRoute: '/login-failed' }))

const issuer = 'http://127.0.0.1:4010' // the mock OpenID provider that `npm run demo` starts
const demoPanel = createDemoPanel({ issuer, clientId: 'pixie-demo' })
const auth = createAuth({
  issuer,
  clientId: 'pixie-demo',
  redirectUri: `${location.origin}/`,
  postLogoutRedirectUri: `${location.origin}/`,
  fetch: demoPanel.fetch, // only for the demo's live panel; leave it out in your app
})

// After a login, the plugin goes back where the user was, through the router.
createApp(App).use(router).use(auth).mount('#app')
demoPanel.mount(auth.client)
