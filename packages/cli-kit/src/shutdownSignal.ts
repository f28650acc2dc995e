/**
 * An AbortSignal that fires on the first SIGINT or SIGTERM, so a command can stop
 * cleanly (flush, release, tear down). A second signal calls `onForce`.
 */
export function shutdownSignal(onForce: () => void): AbortSignal {
  const controller = new AbortController();
  const handler = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      onForce();
      return;
    }
    process.stderr.write(`\n${signal}: finishing what is in flight (again to force)...\n`);
    controller.abort(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return controller.signal;
}
