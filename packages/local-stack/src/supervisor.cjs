// Preloaded (`node --require`) into every emulator process the local stack starts.
// 1. Binds every listening socket to 127.0.0.1: kinesis-local hard-codes 0.0.0.0.
// 2. Exits when the process that started it is gone, so a killed `pnpm stack`
//    (or a crashed test run) never leaves an emulator behind.
// 3. Exits on SIGTERM/SIGINT even when the emulator's own graceful shutdown hangs:
//    kinesis-local replaces process.exit with a graceful exit that may never finish.
'use strict';
const net = require('node:net');

const LOOPBACK = '127.0.0.1';
const originalListen = net.Server.prototype.listen;
net.Server.prototype.listen = function listenOnLoopback(...args) {
  const first = args[0];
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    const callback = typeof args[args.length - 1] === 'function' ? args.pop() : undefined;
    return originalListen.call(this, { port: Number(first), host: LOOPBACK }, callback);
  }
  if (first !== null && typeof first === 'object' && 'port' in first) {
    args[0] = { ...first, host: LOOPBACK };
  }
  return originalListen.apply(this, args);
};

const hardExit = process.exit.bind(process);
const GRACEFUL_EXIT_MS = 1000;

const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) hardExit(0);
}, 500).unref();

for (const signal of ['SIGTERM', 'SIGINT']) {
  // The emulator's own handler runs too; this one only ends a shutdown that hangs.
  process.on(signal, () => setTimeout(() => hardExit(0), GRACEFUL_EXIT_MS));
}
