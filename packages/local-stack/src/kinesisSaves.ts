import { readFile, rename, stat, writeFile } from 'node:fs/promises';

/** The file kinesis-local saves its state to, in its data folder (PERSIST_FILE_NAME's default). */
export const KINESIS_SAVE_FILE = 'kinesis-data.json';

/**
 * Waits for kinesis-local to save its state twice after `since` (the second save was
 * necessarily taken after `since`, the first may have been under way) and returns what the
 * second wrote, whole. kinesis-local rewrites its save file in place every interval and is
 * usually in the middle of it, so stopping it at any moment leaves the file cut short; a
 * copy taken here, once no call can change the state, is what to put back after it stops.
 * Undefined when no two whole saves came within `timeoutMs`.
 */
export async function awaitFreshSave(file: string, since: number, timeoutMs: number): Promise<Buffer | undefined> {
  const deadline = Date.now() + timeoutMs;
  let lastSaved = since;
  let whole = 0;
  while (Date.now() < deadline) {
    const saved = await stat(file).then(
      (info) => info.mtimeMs,
      () => 0,
    );
    if (saved > lastSaved) {
      const content = await readFile(file).catch(() => undefined);
      if (content && isWholeJson(content)) {
        lastSaved = saved;
        if (++whole >= 2) return content;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return undefined;
}

/** Puts a save back in one step (a new file renamed over the old), so it is never seen half written. */
export async function restoreSave(file: string, content: Buffer): Promise<void> {
  const next = `${file}.restoring`;
  await writeFile(next, content);
  await rename(next, file);
}

function isWholeJson(content: Buffer): boolean {
  try {
    JSON.parse(content.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}
