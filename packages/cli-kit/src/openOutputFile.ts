import { openSync } from 'node:fs';
import { dirname } from 'node:path';
import { InvalidOptionError } from '@stock-trades/core';

const REASONS: Readonly<Record<string, (path: string) => string>> = {
  ENOENT: (path) => `its folder ${dirname(path)} does not exist`,
  ENOTDIR: (path) => `a part of ${dirname(path)} is not a folder`,
  EISDIR: () => 'it is a folder',
  EACCES: () => 'permission denied',
  EPERM: () => 'permission denied',
  EROFS: () => 'the file system is read-only',
};

/**
 * Opens a file a flag names for writing — 'a' appends ('a+' can read it too), 'w' starts it afresh — and returns
 * its descriptor, or throws one line naming the flag and why (exit 2). Commands open their
 * outputs this way before doing anything, so a typo never costs a run's results.
 */
export function openOutputFile(path: string, flag: string, mode: 'a' | 'a+' | 'w'): number {
  try {
    return openSync(path, mode);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const reason = REASONS[code]?.(path) ?? (error as Error).message;
    throw new InvalidOptionError(`${flag} ${path} cannot be written: ${reason}`);
  }
}
