// Counts the SDK's open BroadcastChannels, to tell whether clients share one and close it. Self-
// contained, so Playwright can also run it in a page as an init script.

/** Replaces `scope.BroadcastChannel` with a counting one; returns the count and the way back. */
export function countPixieChannels(scope: { BroadcastChannel: typeof BroadcastChannel }) {
  const open = new Set<BroadcastChannel>()
  const Original = scope.BroadcastChannel
  scope.BroadcastChannel = class extends Original {
    constructor(name: string) {
      super(name)
      if (name.startsWith('pixie-auth:')) open.add(this)
    }
    override close() {
      open.delete(this)
      super.close()
    }
  }
  return {
    open: () => open.size,
    restore() {
      for (const channel of open) channel.close()
      scope.BroadcastChannel = Original
    },
  }
}
