// Where the figures came from: printed with the table, so numbers are never quoted without it.
import { readFileSync } from 'node:fs'
import os from 'node:os'

function cpuModel() {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m)?.[1] ?? os.cpus()[0]?.model
  } catch {
    return os.cpus()[0]?.model ?? 'unknown CPU'
  }
}

export function describeMachine() {
  return {
    cpus: os.availableParallelism(),
    cpuModel: cpuModel(),
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
  }
}
