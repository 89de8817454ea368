// The README's TypeScript code blocks, for the README check and for the tests that run a block.

const SKIP = /^<!-- readme-check: skip \(.+\) -->$/

/** The README's ts/tsx blocks: `{ lang, code, line }` (line: the README line of the code's first line), and `section`. */
export function codeBlocks(markdown) {
  const lines = markdown.split('\n')
  const blocks = []
  let section = 'top'
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].startsWith('## ')) section = lines[i].slice(3).toLowerCase().replace(/[^a-z0-9]+/g, '-')
    const open = /^```(\w*)\s*$/.exec(lines[i])
    if (!open) continue
    const end = lines.findIndex((line, j) => j > i && line.startsWith('```'))
    const skipped = SKIP.test(lines.slice(0, i).findLast((line) => line.trim() !== '') ?? '')
    if ((open[1] === 'ts' || open[1] === 'tsx') && !skipped) {
      blocks.push({ lang: open[1], code: lines.slice(i + 1, end).join('\n'), line: i + 2, section })
    }
    i = end
  }
  return blocks
}

