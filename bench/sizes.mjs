// Bundle sizes of the package's own entries (see entry-sizes.mjs), of token isolation's worker
// script, and of the same job written with each SDK.
import { bundleSize } from './bundle-size.mjs'
import { measureEntrySizes, measureWorkerSize } from './entry-sizes.mjs'

const firstLine = (error) => error.message.split('\n').find((line) => line.trim()) ?? String(error)

export async function measureSizes(sdks) {
  const entries = await measureEntrySizes()
  const jobs = {}
  for (const sdk of sdks) {
    // An optional peer that is not installed fails to resolve: its column then says so.
    jobs[sdk.name] = await bundleSize(sdk.adapter).catch((error) => ({ error: firstLine(error) }))
  }
  return { entries, jobs, worker: await measureWorkerSize() }
}
