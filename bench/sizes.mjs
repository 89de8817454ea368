// Bundle sizes of the package's own entries and of the same job written with each SDK.
import { bundleSize } from './bundle-size.mjs'
import { packageEntries } from './package-entries.mjs'

const firstLine = (error) => error.message.split('\n').find((line) => line.trim()) ?? String(error)

export async function measureSizes(sdks) {
  const entries = {}
  for (const entry of packageEntries()) {
    entries[entry.name] = entry.built ? await bundleSize({ contents: entry.contents }, { external: entry.external }) : { error: `not built (${entry.file})` }
  }
  const jobs = {}
  for (const sdk of sdks) {
    // An optional peer that is not installed fails to resolve: its column then says so.
    jobs[sdk.name] = await bundleSize(sdk.adapter).catch((error) => ({ error: firstLine(error) }))
  }
  return { entries, jobs }
}
