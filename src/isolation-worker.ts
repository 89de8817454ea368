// The isolation worker's script (`isolation-worker.js`, one self-contained file): a SharedWorker
// serving every tab of the origin, or a dedicated worker serving the tab that started it.
import { createIsolationServer, type Port } from './features/isolation/worker-server.js'

const scope = globalThis as unknown as Port & { onconnect?: ((event: MessageEvent) => void) | null }
const generation = crypto.randomUUID()
const shared = 'onconnect' in scope
const serve = createIsolationServer(generation, shared)

/**
 * Held for the worker's whole life: pages waiting for it learn that the worker is gone. Taken back
 * after a page script steals it.
 */
const holdLife = (): Promise<void> =>
  navigator.locks.request(`pixie-auth-worker:${generation}`, () => new Promise<void>(() => {})).then(() => {}, holdLife)
void holdLife()

if (shared) scope.onconnect = (event) => serve(event.ports[0]!)
else serve(scope)
