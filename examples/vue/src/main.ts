import { authGuard, createAuth } from 'pixie-auth/vue'
import { createApp } from 'vue'
import { createRouter, createWebHistory } from 'vue-router'
import App from './App.vue'
import ProtectedPage from './ProtectedPage.vue'
import PublicPage from './PublicPage.vue'

const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', component: PublicPage },
    { path: '/protected', component: ProtectedPage, meta: { requiresAuth: true } },
  ],
})
router.beforeEach(authGuard)

createApp(App)
  .use(router)
  // After a login, the plugin goes back where the user was, through the router.
  .use(
    createAuth({
      issuer: 'http://127.0.0.1:4010', // the mock OpenID provider that `npm run demo` starts
      clientId: 'pixie-demo',
      redirectUri: `${location.origin}/`,
      postLogoutRedirectUri: `${location.origin}/`,
      allowedOrigins: ['http://127.0.0.1:4010'], // its protected API: auth.fetch() sends the token there
    }),
  )
  .mount('#app')
