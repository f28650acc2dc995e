import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { repositoryProgram, sdkCallsFrom } from '../src/sdkCalls.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/calls/entry.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('sdkCallsFrom', () => {
  it('follows calls through an interface to the classes the entry makes, and a waiter passed as a callback', () => {
    const program = ts.createProgram([FIXTURE], {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2023,
      strict: true,
      noEmit: true,
    });
    const calls = sdkCallsFrom(program, FIXTURE);
    // Not PutRecords (WritingPort is never made) nor DeleteStream (dropStream is never called).
    expect([...calls.keys()]).toEqual(['dynamodb:DescribeTable', 'kinesis:GetRecords']);
    expect(calls.get('kinesis:GetRecords')).toEqual(['infra/tests/fixtures/calls/ports.ts:11']);
  }, 60_000);

  it('finds what each of our commands sends: the producer writes, teardown deletes, and neither does the other', () => {
    const program = repositoryProgram(ROOT);
    const producer = [...sdkCallsFrom(program, `${ROOT}packages/producer/src/bin.ts`).keys()];
    const teardown = [...sdkCallsFrom(program, `${ROOT}packages/teardown/src/bin.ts`).keys()];
    expect(producer).toEqual([
      'kinesis:DescribeStreamSummary',
      'kinesis:ListShards',
      'kinesis:PutRecord',
      'kinesis:PutRecords',
    ]);
    expect(teardown).toContain('kinesis:DeleteStream');
    expect(producer).not.toContain('kinesis:DeleteStream');
    expect(teardown).not.toContain('kinesis:PutRecords');
  }, 60_000);
});
