import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { sdkCallsFrom } from '../src/sdkCalls.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/calls/entry.ts', import.meta.url));

// The repository's own commands are checked role by role in app.test.ts (one program for all of them).
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
});
