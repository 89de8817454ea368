// The SDK's open BroadcastChannels, counted for each test of a file.
import { afterEach, beforeEach } from 'vitest'
import { countPixieChannels } from '../e2e/channel-counter.js'

/** Counts for each test of the file; returns how many `pixie-auth:` channels are open. */
export function countOpenChannels(): () => number {
  let counter: ReturnType<typeof countPixieChannels> | undefined
  beforeEach(() => {
    counter = countPixieChannels(globalThis)
  })
  afterEach(() => counter?.restore())
  return () => counter?.open() ?? 0
}

/** Lets a dispose() take effect: the last one closes on the next task. */
export const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0))
