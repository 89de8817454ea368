// A proxied response's body, from the worker to the page over the request's own MessagePort, one
// chunk per `pull`: a slow or hostile page cannot make the worker buffer without bound, and
// streamed answers (server-sent events) keep streaming. Streams themselves are not transferred:
// Safari cannot transfer them.
import { fromWireError, type WireError } from './protocol.js'

type Message = { chunk: Uint8Array } | { done: true } | { error: WireError }

/**
 * Sends `response`'s body over `port` as the page pulls it; stops when the page cancels, and calls
 * `finished` once the body ended, failed or was cancelled.
 */
export function streamBody(response: Response, port: MessagePort, wireError: (error: unknown) => Promise<WireError>, finished: () => void) {
  const reader = response.body?.getReader()
  const end = (message?: Message) => {
    if (message) port.postMessage(message)
    port.close()
    finished()
  }
  port.onmessage = async ({ data }) => {
    if (!reader) return end({ done: true })
    if (data === 'cancel') return end(void (await reader.cancel().catch(() => {})))
    try {
      const { done, value } = await reader.read()
      if (done) return end({ done: true })
      // Transferred, not copied; a view of a larger buffer is copied first, so nothing else crosses.
      const chunk = value.byteLength === value.buffer.byteLength ? value : value.slice()
      port.postMessage({ chunk }, [chunk.buffer])
    } catch (error) {
      end({ error: await wireError(error) })
    }
  }
}

/**
 * The page's side: a stream that asks the worker for each chunk. An abort of `signal` errors it with
 * the abort's reason, as `fetch()`'s body does: the worker, told to cancel, sends nothing more.
 */
export function receiveBody(port: MessagePort, signal?: AbortSignal): ReadableStream<Uint8Array> {
  let answer: ((message: Message) => void) | undefined
  port.onmessage = ({ data }) => answer?.(data as Message)
  return new ReadableStream<Uint8Array>({
    start(controller) {
      signal?.addEventListener('abort', () => {
        controller.error(signal.reason)
        port.close()
      }, { once: true })
    },
    pull: (controller) =>
      new Promise<void>((resolve) => {
        answer = (message) => {
          if ('chunk' in message) controller.enqueue(message.chunk)
          else if ('error' in message) controller.error(fromWireError(message.error))
          else controller.close()
          if (!('chunk' in message)) port.close()
          resolve()
        }
        port.postMessage('pull')
      }),
    cancel: () => {
      port.postMessage('cancel')
      port.close()
    },
  })
}
