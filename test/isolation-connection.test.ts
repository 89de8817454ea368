// The page's connection to the isolation worker (connection.ts), against a fake worker end and a
// fake LockManager in Node: a worker that dies is noticed within seconds, not at the request
// deadline, and one whose life lock was only stolen is not taken for dead.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { connect } from '../src/features/isolation/connection.js'
import type { WireConfig } from '../src/features/isolation/protocol.js'
import { fakeLocks, type FakeLocks } from './fake-locks.js'

let locks: FakeLocks
beforeEach(() => {
  locks = fakeLocks()
  vi.stubGlobal('navigator', { locks })
})
afterEach(() => vi.unstubAllGlobals())

/** A worker of generation `g1` that answers every request until `kill()`, and holds its life lock. */
function fakeWorker() {
  let alive = true
  let releaseLife: () => void = () => {}
  void locks.request('pixie-auth-worker:g1', () => new Promise<void>((release) => (releaseLife = release)))
  /** A port of its own for each page, as a SharedWorker's connect gives. */
  const newPort = () => {
    // Real ports: the connection sends with MessagePort.prototype.postMessage, taken at load.
    const { port1, port2 } = new MessageChannel()
    port2.onmessage = ({ data: message }: MessageEvent<{ id: number; op: string }>) => {
      if (!alive || message.op === 'token') return
      const value = message.op === 'hello' ? { generation: 'g1', portLock: `port-${Math.random()}`, scope: 'open-tabs' } : {}
      port2.postMessage({ v: 1, id: message.id, ok: true, value })
    }
    return port1
  }
  return {
    start: () => ({ port: newPort(), errors: new EventTarget(), shared: true }),
    kill() {
      alive = false
      releaseLife()
    },
    /** A page script stealing the life lock: the browser grants it to the waiting page, the worker lives on. */
    releaseLifeOnly: () => releaseLife(),
  }
}

const open = (worker: ReturnType<typeof fakeWorker>, onDeath: () => void) =>
  connect({ start: worker.start, config: {} as WireConfig, deadlineMs: 60_000, onState: () => {}, onDeath, onCheck: async () => false })

describe('connect', () => {
  it('notices a dead worker within seconds: requests under way reject with network_error, onDeath is called', async () => {
    const worker = fakeWorker()
    const onDeath = vi.fn()
    const connection = await open(worker, onDeath)
    const underWay = connection.request('token').catch((error: { code: string }) => error.code)
    worker.kill()
    await vi.waitFor(() => expect(onDeath).toHaveBeenCalledTimes(1), { timeout: 5_000 })
    expect(await underWay).toBe('network_error')
    connection.close()
  })

  it('every page notices at once: the pages wait for the life lock together, not one after another', async () => {
    const worker = fakeWorker()
    const deaths = [vi.fn(), vi.fn(), vi.fn()]
    const connections = await Promise.all(deaths.map((onDeath) => open(worker, onDeath)))
    const killedAt = Date.now()
    worker.kill()
    await vi.waitFor(() => deaths.forEach((onDeath) => expect(onDeath).toHaveBeenCalledTimes(1)), { timeout: 5_000 })
    // One probe's wait (3 s), not three.
    expect(Date.now() - killedAt).toBeLessThan(4_500)
    for (const connection of connections) connection.close()
  })

  it('takes a worker whose life lock a page script released for alive', async () => {
    const worker = fakeWorker()
    const onDeath = vi.fn()
    const connection = await open(worker, onDeath)
    worker.releaseLifeOnly()
    await new Promise((resolve) => setTimeout(resolve, 4_000))
    expect(onDeath).not.toHaveBeenCalled()
    await expect(connection.request('state')).resolves.toEqual({})
    connection.close()
  })
})
