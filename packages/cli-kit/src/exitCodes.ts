export const ExitCode = {
  OK: 0,
  /** The command ran and failed: a service error, trades not delivered, a resource in the wrong state. */
  FAILURE: 1,
  /** The command was asked for something it cannot do: a bad flag or value. */
  USAGE: 2,
  /** Stopped by a second Ctrl-C before it could finish cleanly. */
  INTERRUPTED: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
