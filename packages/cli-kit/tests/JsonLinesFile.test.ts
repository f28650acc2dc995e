import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonLinesFile, OutputWriteError } from '../src/index.js';

const scratch = () => mkdtempSync(join(tmpdir(), 'jsonl-'));

describe('JsonLinesFile', () => {
  it('writes whole lines in the order appended, and resolves once they are written', async () => {
    const path = join(scratch(), 'out.jsonl');
    const file = JsonLinesFile.open(path, '--out', 'w');
    const first = file.append(['{"a":1}', '{"a":2}']);
    const second = file.append(['{"a":3}']);
    await first;
    expect(readFileSync(path, 'utf8')).toMatch(/^\{"a":1\}\n\{"a":2\}\n/);
    await second;
    await file.close();
    expect(readFileSync(path, 'utf8')).toBe('{"a":1}\n{"a":2}\n{"a":3}\n');
  });

  it('on a full disk rejects that append and every later one with one line naming the flag', async () => {
    if (!existsSync('/dev/full')) return;
    const file = JsonLinesFile.open('/dev/full', '--trade-log', 'w');
    const first = file.append(['{"id":1}']);
    const later = file.append(['{"id":2}']);
    await expect(first).rejects.toBeInstanceOf(OutputWriteError);
    await expect(first).rejects.toThrow(
      '--trade-log /dev/full could not be written: no space left on the device (ENOSPC)',
    );
    await expect(later).rejects.toThrow(/ENOSPC/);
    await expect(file.idle()).rejects.toThrow(/ENOSPC/);
    expect(file.failed?.code).toBe('OUTPUT_WRITE_FAILED');
    await expect(file.close()).rejects.toThrow(/ENOSPC/);
  });

  it('appending after a run that was cut off mid-line reports the cut line and starts on a new one', async () => {
    const path = join(scratch(), 'out.jsonl');
    writeFileSync(path, '{"a":1}\n{"a":2,"tru');
    const file = JsonLinesFile.open(path, '--out', 'a');
    expect(file.cutTail).toBe(11);
    await file.append(['{"a":3}']);
    await file.close();
    expect(readFileSync(path, 'utf8')).toBe('{"a":1}\n{"a":2,"tru\n{"a":3}\n');
  });

  it('finds nothing cut in a file that ends with a newline, or an empty one', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'whole.jsonl'), '{"a":1}\n');
    writeFileSync(join(dir, 'empty.jsonl'), '');
    for (const name of ['whole.jsonl', 'empty.jsonl']) {
      const file = JsonLinesFile.open(join(dir, name), '--out', 'a');
      expect(file.cutTail).toBe(0);
      await file.close();
    }
  });
});

describe('JsonLinesFile on a disk that fills mid-line', () => {
  it('cuts the file back to its last whole line, and every line it acknowledged is there', async () => {
    const { execFileSync } = await import('node:child_process');
    const path = join(scratch(), 'filling.jsonl');
    const script = new URL('./helpers/fillFile.ts', import.meta.url).pathname;
    // A file-size limit of 4 KiB (ulimit -f) stands in for a full disk: the last line tried fits only in part.
    const output = execFileSync(
      'bash',
      ['-c', 'ulimit -f 4 && exec "$0" --import tsx "$1" "$2"', process.execPath, script, path],
      {
        encoding: 'utf8',
      },
    );
    const { acknowledged, failure } = JSON.parse(output) as { acknowledged: number; failure: string };
    expect(failure).toMatch(/^--out .* could not be written: the file is too large \(EFBIG\)$/);
    const text = readFileSync(path, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const ids = text
      .trimEnd()
      .split('\n')
      .map((line) => (JSON.parse(line) as { id: number }).id);
    expect(ids).toEqual(Array.from({ length: acknowledged }, (_, index) => index + 1));
    // It stopped because the next line did not fit, not earlier: 99-byte lines in a 4,096-byte file.
    expect(text.length).toBeGreaterThan(4096 - 99);
  });
});
