// `npm run check:links`: every relative link in the Markdown docs (README.md, docs/*.md and the
// repository's other top-level .md files) points to a file that exists, and every `#anchor` to a
// heading of that file, with GitHub's heading ids. Links to the web are not followed.
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const markdownIn = (dir) => readdirSync(join(root, dir)).filter((name) => name.endsWith('.md')).map((name) => join(root, dir, name))
const FILES = [...markdownIn('.'), ...markdownIn('docs')]

/** The text outside fenced code blocks: links and headings inside a code sample are code. */
function prose(markdown) {
  let fenced = false
  return markdown.split('\n').filter((line) => {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced
    return !fenced
  })
}

/** GitHub's id for a heading: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function headingIds(markdown) {
  const seen = new Map()
  return prose(markdown)
    .filter((line) => /^#{1,6} /.test(line))
    .map((line) => {
      const slug = line.replace(/^#+ /, '').trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-')
      const count = seen.get(slug) ?? 0
      seen.set(slug, count + 1)
      return count ? `${slug}-${count}` : slug
    })
}

/** The relative targets of `[text](target)` links in `markdown`, inline code removed first. */
function linkTargets(markdown) {
  const text = prose(markdown).join('\n').replace(/`[^`\n]*`/g, '')
  return [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((match) => match[1]).filter((target) => !/^[a-z]+:/i.test(target))
}

const problems = []
for (const file of FILES) {
  for (const target of linkTargets(readFileSync(file, 'utf8'))) {
    const [path, anchor] = target.split('#')
    const linked = path ? resolve(dirname(file), decodeURI(path)) : file
    const where = `${relative(root, file)}: (${target})`
    if (!existsSync(linked)) problems.push(`${where} links to a file that does not exist`)
    else if (anchor !== undefined && linked.endsWith('.md') && !headingIds(readFileSync(linked, 'utf8')).includes(anchor)) {
      problems.push(`${where} names no heading of ${relative(root, linked)}`)
    }
  }
}
for (const problem of problems) console.log(`FAIL: ${problem}`)
console.log(`${FILES.length} Markdown files: ${problems.length ? `${problems.length} broken links` : 'every relative link and anchor resolves'}`)
if (problems.length) process.exitCode = 1
