// A proxied response's body between the isolation worker and the page (body-stream.ts), over a
// real MessageChannel in Node: chunks as the page pulls them, and an abort that ends the read.
import { afterEach, describe, expect, it } from 'vitest'
import { receiveBody, streamBody } from '../src/features/isolation/body-stream.js'

const ports: MessagePort[] = []
afterEach(() => {
  for (const port of ports.splice(0)) port.close()
})

/** A response that sends `first`, then nothing more until it is cancelled (a stalled stream). */
function stalledResponse(first: string) {
  return new Response(
    new ReadableStream<Uint8Array>({
      start: (controller) => controller.enqueue(new TextEncoder().encode(first)),
    }),
  )
}

const noAnswer = (ms: number) => new Promise((resolve) => setTimeout(() => resolve('no answer'), ms))

describe('body-stream', () => {
  it('streams chunks to the page as it pulls them', async () => {
    const { port1, port2 } = new MessageChannel()
    ports.push(port1, port2)
    streamBody(new Response('one body'), port2, async () => ({ code: 'network_error', message: 'x' }), () => {})
    expect(await new Response(receiveBody(port1)).text()).toBe('one body')
  })

  it('an abort mid-body ends the page’s read with the abort reason, as fetch() does, instead of leaving it pending', async () => {
    const { port1, port2 } = new MessageChannel()
    ports.push(port1, port2)
    let finished = false
    streamBody(stalledResponse('first'), port2, async () => ({ code: 'network_error', message: 'x' }), () => (finished = true))
    const controller = new AbortController()
    // What proxiedFetch does on abort: tells the worker to cancel; the body hears the signal.
    controller.signal.addEventListener('abort', () => port1.postMessage('cancel'))
    const reader = receiveBody(port1, controller.signal).getReader()
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('first')
    controller.abort()
    const next = await Promise.race([reader.read().then(() => 'a chunk', (error: Error) => `rejected ${error.name}`), noAnswer(2_000)])
    expect(next).toBe('rejected AbortError')
    await expect.poll(() => finished).toBe(true)
  })
})
