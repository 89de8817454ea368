// `createFetch()`'s requests in token isolation's proxy mode: sent by the worker, so the access
// token and the DPoP proofs never reach the page.
import { carriedSettings } from '../authorized-fetch.js'
import { absoluteInput, resourceForUrl, type FetchOrigins } from '../fetch-origins.js'
import { receiveBody } from './body-stream.js'
import type { Connection } from './connection.js'

/** The statuses whose responses have no body (Fetch, "null body status"). */
const nullBodyStatuses = [101, 103, 204, 205, 304]

/** What the worker answers a `fetch` with: the response's head; the body follows on the request's port. */
interface ResponseHead {
  status: number
  statusText: string
  headers: [string, string][]
  type: ResponseType
}

/**
 * A `fetch()` whose requests the worker sends. The origin is checked here to fail fast, and in the
 * worker, which decides. An abort stops the request in the worker and rejects with the signal's
 * reason, as `fetch()` does.
 */
export const proxiedFetch =
  (connected: () => Promise<Connection>, origins: Omit<FetchOrigins, 'appOrigin'>) =>
  async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const appOrigin = location.origin
    const { input: absolute, url } = absoluteInput(input, appOrigin)
    resourceForUrl(url, { ...origins, appOrigin })
    const request = new Request(absolute, init)
    const body = ['GET', 'HEAD'].includes(request.method) ? null : await request.arrayBuffer()
    const { signal } = request
    const channel = new MessageChannel()
    const worker = await connected()
    const id = worker.nextId()
    signal.throwIfAborted()
    const aborted = new Promise<never>((_, reject) =>
      signal.addEventListener(
        'abort',
        () => {
          channel.port1.postMessage('cancel')
          void worker.request('abort', { target: id }).catch(() => {})
          reject(signal.reason)
        },
        { once: true },
      ),
    )
    const args = { url: url.href, method: request.method, headers: Object.fromEntries(request.headers), body, settings: carriedSettings(request) }
    const transfer: Transferable[] = body ? [body, channel.port2] : [channel.port2]
    const head = await Promise.race([worker.request<ResponseHead>('fetch', args, transfer, id), aborted])
    // A redirect is not followed (the token goes only to the checked URL), and a page cannot make
    // an `opaqueredirect` response: it resolves as a network error response.
    if (head.type === 'opaqueredirect') return Response.error()
    const hasBody = !nullBodyStatuses.includes(head.status) && request.method !== 'HEAD'
    if (!hasBody) channel.port1.postMessage('cancel')
    return new Response(hasBody ? receiveBody(channel.port1, signal) : null, head)
  }
