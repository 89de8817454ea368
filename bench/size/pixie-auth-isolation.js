// The bench job with pixie-auth in token isolation: the same job as pixie-auth.js, the client's
// work done in the SharedWorker pixie-auth ships (dist/isolation-worker.js, copied beside the page
// by build-pages.mjs as an app's bundler would emit it). Each cached token is a message round trip.
import { tokenIsolation } from 'pixie-auth/isolation'
import { createJob as createPixieJob } from './pixie-auth.js'

export const createJob = (settings) => createPixieJob(settings, { isolation: tokenIsolation() })
