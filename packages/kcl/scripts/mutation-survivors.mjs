// The mutants still alive in kcl's lease code after `pnpm mutation`, each with why it stays, as the markdown table of
// docs/mutation.md: `node scripts/mutation-survivors.mjs [reports/mutation/mutation.json]` (from packages/kcl).
//
// Mutants inside a log call are recognised by where they are. The others are matched by the text of their source line
// (not its number, which moves) and their mutation, against the reasons below, each written after going through that
// mutant by hand. A survivor that matches none is listed as not gone through yet: new code, or a changed line, to
// look at — it may be a rule no test holds. Those have been, every time so far: see docs/mutation.md.
import { readFileSync } from 'node:fs';

const LEASE_FILES = [
  'chooseLeasesToTake.ts',
  'DynamoLeaseStore.ts',
  'handoff.ts',
  'LeaseExpiryTracker.ts',
  'leaseItem.ts',
  'LeaseRenewer.ts',
  'newLeasesForShards.ts',
  'Scheduler.ts',
  'ShardCheckpointer.ts',
  'ShardConsumer.ts',
  'ShardSyncer.ts',
];

const LOG = 'log call (message or fields): not behaviour';
const TEXT = 'text of an error or of a log line, not behaviour';

/**
 * [file, text from the mutant's line (lines after it, trimmed, follow a newline), mutator (or '' for any), why].
 */
const REASONS = [
  [
    'DynamoLeaseStore.ts',
    'page.Items ?? []',
    '',
    'defensive: a Scan answer always has Items (an empty page has `Items: []`)',
  ],
  ['DynamoLeaseStore.ts', 'if (skipped > 0) this.log.debug', '', 'only decides whether to log'],
  ['DynamoLeaseStore.ts', "worker: lease.leaseOwner ?? ''", '', 'defensive: only a held lease is released'],
  [
    'DynamoLeaseStore.ts',
    'return table?.TableStatus',
    '',
    'defensive: DescribeTable always returns Table when it does not throw',
  ],
  [
    'DynamoLeaseStore.ts',
    "leaseKey !== undefined && errorName(error) === 'ConditionalCheckFailedException'",
    '',
    'equivalent: only calls without a lease key (Scan, GetItem) lack it, and they carry no condition, so never fail one',
  ],
  [
    'DynamoLeaseStore.ts',
    'if (lease.checkpointOwner === undefined) return lease',
    '',
    'equivalent: without checkpointOwner the destructuring copy equals the lease',
  ],
  [
    'LeaseRenewer.ts',
    'const generation = ++this.generations',
    '',
    'equivalent: generations only need to differ, and counting down they still do',
  ],
  [
    'LeaseRenewer.ts',
    '} catch (error) {\nif (error instanceof LeaseLostError) return;',
    'BlockStatement',
    'equivalent in effect: a lease whose renewals fail is given up at the next freshness check (every read, every write, the next renewal) instead of at once',
  ],
  [
    'LeaseRenewer.ts',
    'if (error instanceof LeaseLostError) return',
    '',
    'equivalent in effect: a lost lease is already dropped (update drops it); the other branch only logs and checks staleness',
  ],
  [
    'LeaseRenewer.ts',
    'if (this.held.get(leaseKey) === entry) this.expireIfStale(leaseKey)',
    '',
    'equivalent: a later holding past the failover time is given up at its own next check either way; the write of this one is refused on the next line',
  ],
  ['LeaseRenewer.ts', 'new LeaseLostError(leaseKey,', 'StringLiteral', TEXT],
  ['LeaseRenewer.ts', 'this.lose(leaseKey, `not renewed for', '', TEXT],
  [
    'Scheduler.ts',
    "this.consumers.get(leaseKey)?.consumer.stop('lease-lost')",
    '',
    'defensive: a lease is lost only while held, and every held lease but one being let go has a consumer',
  ],
  [
    'Scheduler.ts',
    "signal?.addEventListener('abort', () => this.shutdown(), { once: true })",
    '',
    'equivalent: an AbortSignal fires abort once; `once` changes nothing',
  ],
  [
    'Scheduler.ts',
    'await Promise.resolve(this.deps.metrics?.flush?.()).catch(',
    '',
    'the catch only logs a failed flush',
  ],
  [
    'Scheduler.ts',
    'this.clock.monotonicNow() - startedAt + waitMs > STARTUP_FAULT_MS',
    'EqualityOperator',
    'timing boundary: equality at the millisecond is not observable on a continuous clock',
  ],
  ['Scheduler.ts', 'if (this.deps.metrics) recordSafely', '', 'equivalent: recordSafely with no sink records nothing'],
  [
    'Scheduler.ts',
    'if (this.stopping.signal.aborted) return;',
    'ConditionalExpression',
    'equivalent: aborting twice changes nothing (only the log line is repeated)',
  ],
  [
    'Scheduler.ts',
    'const consumer = this.consumers.get(leaseKey)?.consumer',
    '',
    'defensive: renewals publish metrics only for leases with a consumer (see the next line)',
  ],
  [
    'Scheduler.ts',
    'if (!consumer) return undefined',
    '',
    'equivalent in effect: a lease without a consumer is one being let go (released or forgotten) or just taken',
  ],
  [
    'Scheduler.ts',
    'const recordsPerSecond = last && seconds > 0',
    '',
    'equivalent: with no last renewal `seconds` is 0; `>= 0` differs only for two renewals of one reader in the same millisecond, an interval apart',
  ],
  [
    'Scheduler.ts',
    'const allowSteal = now - this.lastBalanceAt >= this.config.takeIntervalMs',
    '',
    'timing boundary: equality at the millisecond of a take interval is not observable on a continuous clock',
  ],
  ['Scheduler.ts', "this.log.info(fields, steal ? 'stole lease' : 'took lease')", '', LOG],
  [
    'Scheduler.ts',
    '} catch (error) {\nif (error instanceof LeaseLostError) {',
    'BlockStatement',
    'a take failing otherwise than by a race would be passed over instead of ending the round; both retry at the next round (log differs)',
  ],
  [
    'Scheduler.ts',
    'if (error instanceof LeaseLostError) {',
    'ConditionalExpression',
    'a take failing otherwise than by a race would be passed over instead of ending the round; both retry at the next round (log differs)',
  ],
  [
    'Scheduler.ts',
    'if (lease.checkpoint.sequenceNumber === Sentinel.SHARD_END) {',
    '',
    'equivalent in effect: chooseLeasesToTake never offers a SHARD_END lease, and a consumer handed one ends at once (ShardConsumerLifecycle.test.ts)',
  ],
  [
    'Scheduler.ts',
    "this.config.initialPosition.type === 'AT_TIMESTAMP' ? this.config.initialPosition.timestamp : undefined",
    '',
    'equivalent: `timestamp` is undefined on the other initial positions',
  ],
  [
    'Scheduler.ts',
    'if (this.renewer.generationOf(leaseKey) !== generation) return',
    '',
    'defensive: `take` never takes a shard again while a consumer of an earlier holding is still there, so the generation always matches or the lease is not held (release then fails and is forgotten)',
  ],
  [
    'Scheduler.ts',
    "if (outcome === 'shard-ended' || outcome === 'shutdown' || (outcome === 'failed' && this.stopping.signal.aborted))",
    'ConditionalExpression',
    'equivalent: while stopping, releasing a lease already lost fails and is forgotten, as not releasing it would',
  ],
  [
    'Scheduler.ts',
    "if (outcome === 'shard-ended') this.wake.abort()",
    '',
    'equivalent: waking the take loop on shutdown too changes nothing (it is stopping)',
  ],
  [
    'Scheduler.ts',
    "consumer.stop('shutdown')",
    '',
    'equivalent: any reason other than "lease-lost" ends the consumer as shutdown',
  ],
  [
    'Scheduler.ts',
    '.then(() => finished.abort())',
    '',
    'equivalent: the race ends when every consumer has, and the sleep is aborted on the next line either way',
  ],
  [
    'Scheduler.ts',
    'await this.renewer.release(leaseKey).catch((error: unknown) => {',
    '',
    'at shutdown, after the timeout: forgetting a lease that could not be given back only stops renewals that stop with the worker anyway',
  ],
  [
    'ShardCheckpointer.ts',
    'return compareExtended(this.checkpointed, this.processed) > 0 ? this.checkpointed : this.processed',
    'EqualityOperator',
    'equivalent: when the two are equal either is the same position',
  ],
  ['Scheduler.ts', "await this.whileThrottled('", 'StringLiteral', TEXT],
  [
    'ShardConsumer.ts',
    'private endChildren: ShardInfo[] = []',
    '',
    'equivalent: set from the last page before it is read',
  ],
  ['ShardConsumer.ts', "await this.safely(() => processor.leaseLost(), 'leaseLost')", '', TEXT],
  ['ShardConsumer.ts', "await this.safely(() => this.deps.processor.leaseLost(), 'leaseLost')", '', TEXT],
  [
    'ShardConsumer.ts',
    'if (parents.length === 0) return []',
    '',
    'equivalent: with no parents the wait finds none pending and returns none',
  ],
  ['ShardConsumer.ts', 'this.whileFresh(', 'StringLiteral', TEXT],
  [
    'ShardConsumer.ts',
    "const what = error instanceof ThrottledError ? 'read throttled' : 'read failed for now'",
    '',
    TEXT,
  ],
  [
    'ShardConsumer.ts',
    'if (outOfRange > 0) {',
    '',
    'only decides whether to log (the records outside the range are dropped above it, and that is tested)',
  ],
  ['ShardConsumer.ts', 'new LeaseLostError(this.shardId,', 'StringLiteral', TEXT],
  ['ShardConsumer.ts', 'if (this.deps.metrics)', '', 'equivalent: recordSafely with no sink records nothing'],
  [
    'ShardConsumer.ts',
    'const checkpointed = () => this.checkpointer?.lastCheckpoint',
    '',
    'defensive: the checkpointer exists before the processor is first called',
  ],
  [
    'ShardConsumer.ts',
    'const batch = attempt === 1 || from === undefined ? records',
    '',
    'equivalent: a first attempt’s records all follow the last checkpoint (they follow what was delivered before), so filtering them changes nothing; `from` is never undefined once the processor is called',
  ],
  ['ShardConsumer.ts', "return 'done'", '', "equivalent: the caller tells only 'stopped' and 'skipped' apart"],
  [
    'ShardConsumer.ts',
    "if (this.leaseLost()) throw new LeaseLostError(this.shardId, 'lost while retrying')",
    'ConditionalExpression',
    "equivalent: returning 'stopped' with the lease lost ends the consumer the same way (leaseLost, then 'lease-lost')",
  ],
  [
    'ShardConsumer.ts',
    '} catch (error) {\nthis.deps.log.error({ shardId: this.shardId, error: describe(error) }, `processor ',
    'BlockStatement',
    'equivalent: the empty catch still swallows the processor’s throw; only the log differs',
  ],
  [
    'ShardSyncer.ts',
    'if (error instanceof LeaseLostError) {',
    'BlockStatement',
    'only picks which line is logged (the next sync tries again either way)',
  ],
  ['ShardSyncer.ts', 'if (created)', '', 'only decides whether to log'],
  ['chooseLeasesToTake.ts', 'perWorker.get(workerId)?.length', '', 'defensive: the map starts with this worker in it'],
  [
    'chooseLeasesToTake.ts',
    'if (needed <= 0) return',
    'EqualityOperator',
    'equivalent: needing 0, the slices below take and steal nothing',
  ],
  [
    'chooseLeasesToTake.ts',
    'if (entry[0] === workerId) continue',
    '',
    'equivalent: a worker short of its target never holds more than every other worker (the target is the ceiling of the mean)',
  ],
  [
    'chooseLeasesToTake.ts',
    'entry[0] < mostLoaded[0]',
    'EqualityOperator',
    'equivalent: worker names in a map are never equal',
  ],
  [
    'chooseLeasesToTake.ts',
    'if (!mostLoaded) return',
    '',
    'unreachable: with no other worker and nothing free, this worker holds every lease and needs none',
  ],
  [
    'chooseLeasesToTake.ts',
    'else if (theirs === target && needed > 1) count = 1',
    'ConditionalExpression',
    'unreachable: a most loaded worker below the target cannot leave this one short (the target is the ceiling of the mean); at the target, one short, is killed by the no-thrash test',
  ],
  [
    'chooseLeasesToTake.ts',
    'for (let i = copy.length - 1; i > 0; i--)',
    'EqualityOperator',
    'equivalent: at i = 0 the shuffle swaps the first item with itself',
  ],
  [
    'leaseItem.ts',
    "leaseKey: item.leaseKey?.S ?? ''",
    '',
    'defensive: only items isLeaseItem accepts are read, and those have a leaseKey',
  ],
  [
    'leaseItem.ts',
    'leaseCounter: Number(item.leaseCounter?.N ?? 0)',
    '',
    'defensive: only items isLeaseItem accepts are read, and those have a leaseCounter',
  ],
  [
    'leaseItem.ts',
    "sequenceNumber: item.checkpoint?.S ?? 'TRIM_HORIZON'",
    '',
    'defensive: only items isLeaseItem accepts are read, and those have a checkpoint',
  ],
  [
    'leaseItem.ts',
    'if (text === undefined) return {}',
    '',
    'equivalent: JSON.parse(undefined) throws, and the catch returns the same nothing',
  ],
  [
    'leaseItem.ts',
    "typeof entry === 'object' &&",
    '',
    'equivalent: a non-object entry has no kind and is refused by the next check; a null one throws there and is refused by the catch',
  ],
  [
    'leaseItem.ts',
    'entry !== null &&',
    '',
    'equivalent: a null entry throws on the next check, and the catch refuses the attribute',
  ],
  [
    'leaseItem.ts',
    '} catch {',
    'BlockStatement',
    'equivalent: JSON.parse is the only thing that throws in the try, and an empty catch falls through to the same nothing',
  ],
];

const reportPath = process.argv[2] ?? 'reports/mutation/mutation.json';
let report;
try {
  report = JSON.parse(readFileSync(reportPath, 'utf8'));
} catch (error) {
  console.error(`error: cannot read the mutation report ${reportPath} (run pnpm mutation first): ${error.message}`);
  process.exit(1);
}

/** Where each log call starts and ends in the source (offsets), so that a mutant inside one is known for what it is. */
function logCallRanges(source) {
  const ranges = [];
  for (const match of source.matchAll(/\blog\.(debug|info|warn|error)\(/g)) {
    let depth = 0;
    for (let index = match.index + match[0].length - 1; index < source.length; index++) {
      if (source[index] === '(') depth++;
      else if (source[index] === ')' && --depth === 0) {
        ranges.push([match.index, index]);
        break;
      }
    }
  }
  return ranges;
}

const rows = [];
const counts = { log: 0, reason: 0, open: 0 };
for (const [path, file] of Object.entries(report.files)) {
  const name = path.split('/').at(-1);
  if (!LEASE_FILES.includes(name)) continue;
  const lines = file.source.split('\n');
  const lineStarts = [0];
  for (const line of lines) lineStarts.push(lineStarts.at(-1) + line.length + 1);
  const logs = logCallRanges(file.source);
  for (const mutant of file.mutants) {
    if (mutant.status !== 'Survived' && mutant.status !== 'NoCoverage') continue;
    const { start, end } = mutant.location;
    const from = lineStarts[start.line - 1] + start.column - 1;
    const to = lineStarts[end.line - 1] + end.column - 1;
    const text = lines[start.line - 1];
    const around = lines
      .slice(start.line - 1, start.line + 2)
      .map((line) => line.trim())
      .join('\n');
    let why;
    if (logs.some(([first, last]) => from >= first && to <= last + 1)) {
      why = LOG;
      counts.log++;
    } else {
      why = REASONS.find(
        ([reasonFile, onLines, mutator]) =>
          reasonFile === name &&
          text.includes(onLines.split('\n')[0]) &&
          around.includes(onLines) &&
          (mutator === '' || mutator === mutant.mutatorName),
      )?.[3];
      if (why) counts.reason++;
      else {
        why = '**not gone through yet**';
        counts.open++;
      }
    }
    const replacement = (mutant.replacement ?? '').replace(/\s+/g, ' ').slice(0, 60).replaceAll('|', '\\|');
    rows.push({
      order: [name, start.line, start.column],
      row: `| ${name}:${start.line}:${start.column} | ${mutant.status === 'Survived' ? 'survived' : 'no cov.'} | ${mutant.mutatorName} → \`${replacement}\` | ${why} |`,
    });
  }
}
rows.sort((a, b) => a.order[0].localeCompare(b.order[0]) || a.order[1] - b.order[1] || a.order[2] - b.order[2]);
console.log('| Where | Status | Mutation | Why it stays |');
console.log('| --- | --- | --- | --- |');
for (const { row } of rows) console.log(row);
console.log();
console.log(
  `${rows.length} alive in the lease code: ${counts.log} in log calls, ${counts.reason} with a reason above, ${counts.open} not gone through yet.`,
);
