// A page's connection to the isolation worker: the request table with its deadlines, the port's
// lock (the worker serves a port only while the page that took it lives), and noticing that the
// worker died.
import { AuthError } from '../../core/errors.js'
import { fromWireError, protocolVersion, type Operation, type Reply, type StateEvent, type WireConfig, type WireState } from './protocol.js'
import type { CheckEvent } from './service-workers.js'
import type { SessionScope } from '../../core/internals.js'

/** The page's end of a started worker: the port to talk on, and what fires `error` if it cannot start. */
export interface WorkerEnd {
  port: MessagePort | Worker
  errors: EventTarget
  /** A SharedWorker; else a dedicated worker (see `sessionScope()`). */
  shared: boolean
}

export interface Connection {
  generation: string
  scope: SessionScope
  /** Sends a request; `id` from {@link Connection.nextId} when the caller must refer to it (`abort`). */
  request<T = unknown>(op: Operation, args?: Record<string, unknown>, transfer?: Transferable[], id?: number): Promise<T>
  nextId(): number
  /** Says `bye` and lets go of the port's lock. */
  close(): void
}

export interface ConnectOptions {
  start: () => WorkerEnd
  config: WireConfig
  /** Every request but a proxied fetch fails with `timeout` after this long: a live worker answers sooner. */
  deadlineMs: number
  onState(state: WireState): void
  /** The worker died (crash, killed, restarted): every request under way failed with `network_error`. */
  onDeath(): void
  /** The worker asks, before it sends a request: is a Service Worker the app did not list registered? */
  onCheck(): Promise<boolean>
}

/**
 * Requests under way at once on a port; more wait here. The worker refuses past 32, and `abort`,
 * `checked` and `bye` must still get through.
 */
const maxInFlight = 24
const controlOps: Operation[] = ['abort', 'checked', 'bye']

// Taken when this module is evaluated (review R8): a script that wraps them later would read
// every request and reply, the authorization response's code included.
const call = Function.prototype.call
const postOnPort = typeof MessagePort === 'function' ? call.bind(MessagePort.prototype.postMessage) : undefined
const postToWorker = typeof Worker === 'function' ? call.bind(Worker.prototype.postMessage) : undefined
const listen = typeof EventTarget === 'function' ? call.bind(EventTarget.prototype.addEventListener) : undefined
const startPort = typeof MessagePort === 'function' ? call.bind(MessagePort.prototype.start) : undefined

/** How long a worker whose life lock was released has to answer before it is taken for dead. */
const probeMs = 3_000

/** Holds the Web Lock `name` until `release()`; resolves once it is held. */
function holdLock(name: string): Promise<() => void> {
  return new Promise((held, failed) => {
    navigator.locks
      .request(name, () => new Promise<void>((release) => held(release)))
      .catch(failed)
  })
}

/**
 * Starts the worker (or reaches the running one), says `hello` with the client's options and holds
 * the port's lock. Rejects with `config_error` when the worker cannot start: never a fallback.
 */
export async function connect({ start, config, deadlineMs, onState, onDeath, onCheck }: ConnectOptions): Promise<Connection> {
  if (!navigator.locks) throw new AuthError('config_error', 'Token isolation needs Web Locks')
  const { port, errors, shared } = start()
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: AuthError): void }>()
  const queued: (() => void)[] = []
  let lastId = 0
  let dead: AuthError | undefined

  const fail = (error: AuthError) => {
    dead ??= error
    for (const waiter of pending.values()) waiter.reject(error)
    pending.clear()
    for (const next of queued.splice(0)) next()
  }
  const post = (message: unknown, transfer: Transferable[]) => (shared ? postOnPort : postToWorker)!(port, message, transfer)
  listen!(errors, 'error', () =>
    fail(new AuthError('config_error', 'Token isolation: the worker could not start; check worker-src and that the bundler emitted isolation-worker.js')),
  )
  listen!(port, 'message', ({ data }: MessageEvent) => {
    if ((data as StateEvent)?.event === 'state') return onState((data as StateEvent).state)
    if ((data as CheckEvent)?.event === 'check') {
      const { check } = data as CheckEvent
      return void onCheck().then((foreign) => request('checked', { check, foreign }).catch(() => {}))
    }
    const reply = data as Reply
    const waiter = pending.get(reply?.id)
    if (!waiter) return
    pending.delete(reply.id)
    if (reply.ok) waiter.resolve(reply.value)
    else waiter.reject(fromWireError(reply.error))
  })
  if (shared) startPort!(port)

  const send = <T>(op: Operation, args: Record<string, unknown>, transfer: Transferable[], id: number) =>
    new Promise<T>((resolve, reject) => {
      if (dead) return reject(dead)
      const timer = op === 'fetch' ? undefined : setTimeout(() => fail(new AuthError('timeout', 'The isolation worker did not answer')), deadlineMs)
      const settle = <A>(then: (value: A) => void) => (value: A) => {
        clearTimeout(timer)
        pending.delete(id)
        if (!controlOps.includes(op)) queued.shift()?.()
        then(value)
      }
      pending.set(id, { resolve: settle(resolve as (value: unknown) => void), reject: settle(reject) })
      post({ v: protocolVersion, id, op, args }, transfer)
    })
  const request = async <T>(op: Operation, args: Record<string, unknown> = {}, transfer: Transferable[] = [], id = ++lastId) => {
    const inFlight = [...pending.keys()].length
    if (!controlOps.includes(op) && inFlight >= maxInFlight) await new Promise<void>((next) => queued.push(next))
    return send<T>(op, args, transfer, id)
  }

  const hello = await request<{ generation: string; portLock: string; scope: SessionScope }>('hello', { protocol: protocolVersion, config })
  const releasePort = await holdLock(hello.portLock)
  await request('ready')

  // The worker holds this lock for its whole life; the browser grants it to a waiting page when the
  // worker is gone. A page script can steal it too, so a grant only makes the page ask the worker,
  // with an op that touches no session (a live worker answers at once; a dead one never does, and
  // the request deadline is far longer than "within seconds"). Shared: every page probes at once.
  const watch = () =>
    navigator.locks.request(`pixie-auth-worker:${hello.generation}`, { mode: 'shared' }, async () => {
      if (dead) return
      const answered = request('abort', { target: 0 }).then(() => true, () => false)
      if (await Promise.race([answered, new Promise<false>((resolve) => setTimeout(resolve, probeMs, false))])) setTimeout(() => dead || void watch().catch(() => {}))
      else {
        fail(new AuthError('network_error', 'The isolation worker stopped'))
        releasePort()
        onDeath()
      }
    })
  void watch().catch(() => {})

  return {
    generation: hello.generation,
    scope: hello.scope,
    request,
    nextId: () => ++lastId,
    close() {
      if (!dead) post({ v: protocolVersion, id: ++lastId, op: 'bye', args: {} }, [])
      fail(new AuthError('network_error', 'The page left the isolation worker'))
      releasePort()
      if (port instanceof MessagePort) port.close()
    },
  }
}
