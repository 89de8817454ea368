// The vanilla app (consumers/vanilla/src/main.ts, its types stripped by scripts/consumers.mjs into
// src/main.js) built by webpack 5 with no configuration for pixie-auth's worker. Two builds:
// `output.publicPath` left at its default ('auto': the worker's URL is taken from the script's own),
// and a relative one (''), which webpack resolves against `document.baseURI`, so a `<base href>` in
// the page decides where the worker is loaded from (docs/token-isolation-review.md, R7).
const build = (publicPath, dir) => ({
  mode: 'production',
  entry: './src/main.js',
  output: { path: new URL(dir, import.meta.url).pathname, filename: 'main.js', clean: true, ...(publicPath === undefined ? {} : { publicPath }) },
  // No source maps and no size hints: the build's output is what is checked.
  devtool: false,
  performance: { hints: false },
})

export default [build(undefined, 'dist'), build('', 'dist/relative')]
