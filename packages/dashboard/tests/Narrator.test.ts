import { aLease } from '@stock-trades/kcl/testing';
import { describe, expect, it } from 'vitest';
import { DashboardModel } from '../src/DashboardModel.js';
import { NARRATION_DONE_SHOWN_MS, NARRATION_TIMEOUT_MS, Narrator } from '../src/Narrator.js';

const WALL = Date.UTC(2026, 11, 4, 15, 42, 40);
const FAILOVER = 10_000;
const FULL = { startingHashKey: '0', endingHashKey: String(2n ** 128n - 1n) };
const metrics = (millisBehindLatest: number) => ({ millisBehindLatest, recordsPerSecond: 10 });

/** A model that has seen the lease table as `owners` say (shard → owner), its counters moving at `at`. */
function pipeline() {
  const model = new DashboardModel({
    target: 'local',
    stream: 'S',
    statsStream: 'Stats',
    failoverMs: FAILOVER,
    actions: true,
    pauseSeconds: 60,
  });
  model.observeShards(['a', 'b', 'c'].map((shardId) => ({ shardId, parentShardIds: [], hashKeyRange: FULL })));
  let counter = 1;
  const see = (owners: Record<string, string | undefined>, at: number, lag = 0) => {
    counter++;
    model.observeLeases(
      Object.entries(owners).map(([shardId, owner]) =>
        aLease(shardId, { leaseOwner: owner, leaseCounter: owner ? counter : 1, metrics: metrics(lag) }),
      ),
      at - WALL,
      at,
    );
    return model.view(at);
  };
  return { model, see };
}

describe('Narrator', () => {
  it('says when a killed worker’s leases expire and who takes them, then that they were taken', () => {
    const { see } = pipeline();
    const narrator = new Narrator(FAILOVER);
    const before = see({ a: 'worker-1', b: 'worker-2', c: 'worker-2' }, WALL);
    narrator.begin({ action: 'kill-worker', worker: 'worker-2' }, 'killed worker-2', before, WALL);
    const waiting = narrator.view(before, WALL);
    // Renewed just now: they expire one failover time later.
    expect(waiting?.state).toBe('waiting');
    expect(waiting?.text).toMatch(/^worker-2 killed \(SIGKILL\).* Its 2 leases expire at 15:42:50 UTC \(in 10 s\)/);
    const after = see({ a: 'worker-1', b: 'worker-1', c: 'worker-1' }, WALL + 11_000);
    const done = narrator.view(after, WALL + 11_000);
    expect(done).toMatchObject({ state: 'done', outcome: 'worker-1 took b, worker-1 took c' });
    expect(done?.doneAt).toBe(new Date(WALL + 11_000).toISOString());
    // Shown for a few seconds, then gone.
    expect(narrator.view(after, WALL + 11_000 + NARRATION_DONE_SHOWN_MS)).not.toBeNull();
    expect(narrator.view(after, WALL + 11_001 + NARRATION_DONE_SHOWN_MS)).toBeNull();
  });

  it('is not done with a clean stop while the released leases are free: only once another worker holds them', () => {
    const { see } = pipeline();
    const narrator = new Narrator(FAILOVER);
    const before = see({ a: 'worker-1', b: 'worker-1', c: 'worker-3' }, WALL);
    narrator.begin({ action: 'stop-worker', worker: 'worker-3' }, 'stopping worker-3', before, WALL);
    expect(narrator.view(before, WALL)?.text).toMatch(
      /^worker-3 stopping cleanly: it checkpoints and releases its 1 lease/,
    );
    const released = see({ a: 'worker-1', b: 'worker-1', c: undefined }, WALL + 500);
    expect(narrator.view(released, WALL + 500)?.state).toBe('waiting');
    const taken = see({ a: 'worker-1', b: 'worker-1', c: 'worker-1' }, WALL + 900);
    expect(narrator.view(taken, WALL + 900)).toMatchObject({ state: 'done', outcome: 'worker-1 took c' });
  });

  it('is done with a reshard only once the new shards are leased and the closed ones read to their end', () => {
    const model = new DashboardModel({
      target: 'local',
      stream: 'S',
      statsStream: 'Stats',
      failoverMs: FAILOVER,
      actions: true,
    });
    const narrator = new Narrator(FAILOVER);
    const half = String(2n ** 127n);
    model.observeShards([{ shardId: 'p', parentShardIds: [], hashKeyRange: FULL }]);
    model.observeLeases([aLease('p', { leaseOwner: 'w1', leaseCounter: 2 })], 0, WALL);
    narrator.begin(
      { action: 'reshard', direction: 'double' },
      'resharding S: 1 → 2 open shards',
      model.view(WALL),
      WALL,
    );
    model.observeShards([
      { shardId: 'p', parentShardIds: [], hashKeyRange: FULL, endingSequenceNumber: '99' },
      { shardId: 'c1', parentShardIds: ['p'], hashKeyRange: { startingHashKey: '0', endingHashKey: half } },
      {
        shardId: 'c2',
        parentShardIds: ['p'],
        hashKeyRange: { startingHashKey: half, endingHashKey: FULL.endingHashKey },
      },
    ]);
    const leases = (parentCheckpoint: string, counter: number) => [
      aLease('p', {
        leaseOwner: 'w1',
        leaseCounter: counter,
        checkpoint: { sequenceNumber: parentCheckpoint, subSequenceNumber: 0 },
      }),
      aLease('c1', { leaseOwner: 'w1', leaseCounter: counter }),
      aLease('c2', { leaseOwner: 'w1', leaseCounter: counter }),
    ];
    // The children are leased, but their parent is still being read: not yet.
    model.observeLeases(leases('50', 3), 1000, WALL + 1000);
    expect(narrator.view(model.view(WALL + 1000), WALL + 1000)?.state).toBe('waiting');
    model.observeLeases(leases('SHARD_END', 4), 2000, WALL + 2000);
    expect(narrator.view(model.view(WALL + 2000), WALL + 2000)).toMatchObject({
      state: 'done',
      outcome: '2 open shards, every one leased, the closed ones finished, at 15:42:42 UTC',
    });
  });

  it('waits out a pause, and is done only once the paused shards have caught up', () => {
    const { see } = pipeline();
    const narrator = new Narrator(FAILOVER);
    const before = see({ a: 'worker-1', b: 'worker-2', c: 'worker-2' }, WALL);
    narrator.begin({ action: 'pause-worker', worker: 'worker-2' }, 'paused worker-2 for 60 s', before, WALL);
    expect(narrator.view(before, WALL)?.text).toMatch(
      /^worker-2 paused until 15:43:40 UTC \(60 s\): it keeps its 2 leases/,
    );
    // Caught up, but the pause is not over: still waiting.
    expect(
      narrator.view(see({ a: 'worker-1', b: 'worker-2', c: 'worker-2' }, WALL + 30_000), WALL + 30_000)?.state,
    ).toBe('waiting');
    // Over, still behind: waiting.
    const behind = see({ a: 'worker-1', b: 'worker-2', c: 'worker-2' }, WALL + 61_000, 45_000);
    expect(narrator.view(behind, WALL + 61_000)?.state).toBe('waiting');
    const caughtUp = see({ a: 'worker-1', b: 'worker-2', c: 'worker-2' }, WALL + 64_000, 200);
    expect(narrator.view(caughtUp, WALL + 64_000)).toMatchObject({
      state: 'done',
      outcome: 'caught up at 15:43:44 UTC: lag under 1 s again',
    });
  });

  it('says so when what it announced has not happened within three minutes', () => {
    const { see } = pipeline();
    const narrator = new Narrator(FAILOVER);
    const before = see({ a: 'worker-1', b: 'worker-1', c: 'worker-1' }, WALL);
    narrator.begin({ action: 'add-worker' }, 'started worker-3', before, WALL);
    expect(narrator.view(before, WALL)?.text).toMatch(
      /^worker-3 started: .* each of the 2 workers has about 1-2 of the 3 leases/,
    );
    expect(narrator.view(before, WALL + NARRATION_TIMEOUT_MS - 1)?.state).toBe('waiting');
    expect(narrator.view(before, WALL + NARRATION_TIMEOUT_MS)?.state).toBe('timed-out');
    const joined = see({ a: 'worker-1', b: 'worker-1', c: 'worker-3' }, WALL + 5000);
    expect(narrator.view(joined, WALL + 5000)).toMatchObject({
      state: 'done',
      outcome: 'worker-3 holds 1 lease at 15:42:45 UTC',
    });
  });
});
