export { type ResourceAdmin, runTeardown, type TeardownDeps, type TeardownResult } from './runTeardown.js';
