export { createProjectResources } from './createProjectResources.js';
export { ensureTable } from './ensureTable.js';
export { type CreateStreamOptions, type CreateStreamOutcome, runCreateStream } from './runCreateStream.js';
