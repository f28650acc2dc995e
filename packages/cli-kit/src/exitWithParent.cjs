// Preloaded (`node --require`) into the processes `pnpm demo` starts: ends the process
// when the one that started it is gone, so a killed demo never leaves a worker running.
'use strict';
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) process.exit(0);
}, 500).unref();
