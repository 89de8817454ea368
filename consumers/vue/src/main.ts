// A Vue app using the installed package, as a user would.
import { createAuth } from 'pixie-auth/vue'
import { createApp } from 'vue'
import App from './App.vue'

createApp(App)
  .use(createAuth({ issuer: 'http://127.0.0.1:4010', clientId: 'pixie-e2e', redirectUri: `${location.origin}/` }))
  .mount('#app')
