export { type CreateStreamOptions, type CreateStreamOutcome, runCreateStream } from './runCreateStream.js';
