export {
  costLines,
  embeddedPutPayloadUnits,
  type ResourceAdmin,
  type ResourceDescription,
  runTeardown,
  type TeardownDeps,
  type TeardownResult,
} from './runTeardown.js';
