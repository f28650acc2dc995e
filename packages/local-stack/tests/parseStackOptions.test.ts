import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidOptionError } from '@stock-trades/core';
import { afterAll, describe, expect, it } from 'vitest';
import { parseStackOptions } from '../src/cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'stack-cli-'));
const flags = (more: { kinesisPort?: string; dynamodbPort?: string; data?: string } = {}) => ({
  kinesisPort: '4567',
  dynamodbPort: '4568',
  verbose: false,
  ...more,
});

describe('pnpm stack flags', () => {
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('refuses one port for both services before starting anything', () => {
    expect(() => parseStackOptions(flags({ kinesisPort: '4806', dynamodbPort: '4806' }))).toThrow(
      new InvalidOptionError('--kinesis-port and --dynamodb-port must differ, both are 4806'),
    );
  });

  it('refuses a data folder that cannot be one, naming it', () => {
    const file = join(scratch, 'a-file');
    writeFileSync(file, '');
    expect(() => parseStackOptions(flags({ data: '/dev/null/x' }))).toThrow(
      '--data /dev/null/x cannot be used as a folder: a part of it is a file, not a folder',
    );
    expect(() => parseStackOptions(flags({ data: file }))).toThrow(InvalidOptionError);
  });

  it('makes a data folder that does not exist yet', () => {
    const data = join(scratch, 'new', 'state');
    expect(parseStackOptions(flags({ data }))).toMatchObject({ dataDir: data, kinesisPort: 4567, dynamodbPort: 4568 });
  });
});
