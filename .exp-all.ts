export * from './src/index.js'; export * from './src/dpop.js';
export * from './src/par.js';
export * from './src/resource.js';
export * from './src/silent-login.js';
export * from './src/popup.js';
export * from './src/fetch.js';
export * from './src/userinfo.js';
