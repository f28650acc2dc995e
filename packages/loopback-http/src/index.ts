export { BodyTooLargeError, LoopbackHttpError } from './errors.js';
export { type HardenOptions, hardenServer } from './hardenServer.js';
export { type BodySource, readCappedBody } from './readCappedBody.js';
export { type Refusal, type ScreenOptions, screenRequest } from './screenRequest.js';
