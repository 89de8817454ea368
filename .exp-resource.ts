export * from './src/index.js'; export * from './src/resource.js'
