import { aLease } from '@stock-trades/kcl/testing';
import { describe, expect, it } from 'vitest';
import { LeaseWatch } from '../src/index.js';

const FAILOVER = 10_000;
const WALL = Date.UTC(2026, 11, 2, 10);

/** Snapshots of one lease, each `ms` after the watch began, as the lease table would show them. */
function watch() {
  const leaseWatch = new LeaseWatch(FAILOVER);
  return (ms: number, ...leases: ReturnType<typeof aLease>[]) =>
    leaseWatch.observe(leases, ms, WALL + ms).map(({ kind, worker, from }) => ({ kind, worker, from }));
}

describe('LeaseWatch', () => {
  it('tells a lease taken when free from one stolen from a live holder', () => {
    const observe = watch();
    observe(0, aLease('s', { leaseCounter: 1 }));
    expect(observe(1000, aLease('s', { leaseOwner: 'a', leaseCounter: 2 }))).toEqual([
      { kind: 'took', worker: 'a', from: null },
    ]);
    expect(observe(2000, aLease('s', { leaseOwner: 'a', leaseCounter: 3 }))).toEqual([]);
    expect(observe(3000, aLease('s', { leaseOwner: 'b', leaseCounter: 4 }))).toEqual([
      { kind: 'stole', worker: 'b', from: 'a' },
    ]);
  });

  it('says a lease expired once its counter stood still for the failover time on its own clock, then who took it', () => {
    const observe = watch();
    observe(0, aLease('s', { leaseOwner: 'a', leaseCounter: 5 }));
    expect(observe(FAILOVER, aLease('s', { leaseOwner: 'a', leaseCounter: 5 }))).toEqual([]);
    expect(observe(FAILOVER + 1, aLease('s', { leaseOwner: 'a', leaseCounter: 5 }))).toEqual([
      { kind: 'expired', worker: 'a', from: null },
    ]);
    expect(observe(FAILOVER + 500, aLease('s', { leaseOwner: 'a', leaseCounter: 5 }))).toEqual([]);
    expect(observe(FAILOVER + 900, aLease('s', { leaseOwner: 'b', leaseCounter: 6 }))).toEqual([
      { kind: 'took', worker: 'b', from: 'a' },
    ]);
  });

  it('reports a taking after an unseen expiry as expired, then took', () => {
    const observe = watch();
    observe(0, aLease('s', { leaseOwner: 'a', leaseCounter: 5 }));
    expect(observe(FAILOVER + 1, aLease('s', { leaseOwner: 'b', leaseCounter: 6 }))).toEqual([
      { kind: 'expired', worker: 'a', from: null },
      { kind: 'took', worker: 'b', from: 'a' },
    ]);
  });

  it('counts the failover time from the read before the one that showed the counter, as the taker’s clock did', () => {
    // Reads a second apart, each taking 400 ms. The counter moved just after the read at 0 began; the
    // watcher first sees it in the read that ends at 1400. The taker, watching closely, took the lease
    // one failover time after the move: the read ending at FAILOVER + 1400 shows it only 10 s after the
    // counter was first seen — still an expiry, not a steal.
    const leaseWatch = new LeaseWatch(FAILOVER);
    const observe = (endedAt: number, lease: ReturnType<typeof aLease>) =>
      leaseWatch
        .observe([lease], endedAt, WALL + endedAt, endedAt - 400)
        .map(({ kind, worker, from }) => ({ kind, worker, from }));
    observe(400, aLease('s', { leaseOwner: 'a', leaseCounter: 5 }));
    observe(1400, aLease('s', { leaseOwner: 'a', leaseCounter: 6 }));
    for (let endedAt = 2400; endedAt <= FAILOVER + 400; endedAt += 1000) {
      expect(observe(endedAt, aLease('s', { leaseOwner: 'a', leaseCounter: 6 }))).toEqual([]);
    }
    expect(observe(FAILOVER + 1400, aLease('s', { leaseOwner: 'b', leaseCounter: 7 }))).toEqual([
      { kind: 'expired', worker: 'a', from: null },
      { kind: 'took', worker: 'b', from: 'a' },
    ]);
  });

  it('still calls it a steal when the holder renewed since the read before last, however slow the reads', () => {
    // Reads ending every 2.5 s and taking 2 s each; the holder renews between every two of them. When
    // another worker takes the lease, its counter can have stood still for 7 s at most: a steal.
    const leaseWatch = new LeaseWatch(FAILOVER);
    const observe = (endedAt: number, owner: string, leaseCounter: number) =>
      leaseWatch
        .observe([aLease('s', { leaseOwner: owner, leaseCounter })], endedAt, WALL + endedAt, endedAt - 2000)
        .map(({ kind, worker, from }) => ({ kind, worker, from }));
    for (let read = 0; read < 6; read++) expect(observe(2000 + 2500 * read, 'a', read)).toEqual([]);
    expect(observe(2000 + 2500 * 6, 'b', 6)).toEqual([{ kind: 'stole', worker: 'b', from: 'a' }]);
  });

  it('tells a release, a finished shard, and a lease that appeared already taken', () => {
    const observe = watch();
    observe(0);
    expect(observe(500, aLease('s', { leaseOwner: 'a', leaseCounter: 1 }))).toEqual([
      { kind: 'took', worker: 'a', from: null },
    ]);
    expect(observe(1000, aLease('s', { leaseCounter: 2 }))).toEqual([{ kind: 'released', worker: 'a', from: null }]);
    const ended = aLease('s', { leaseOwner: 'b', leaseCounter: 4 });
    observe(2000, aLease('s', { leaseOwner: 'b', leaseCounter: 3 }));
    expect(observe(3000, { ...ended, checkpoint: { sequenceNumber: 'SHARD_END', subSequenceNumber: 0 } })).toEqual([
      { kind: 'finished', worker: 'b', from: null },
    ]);
  });

  it('shows each lease with its owner, counter, ages and the metrics its holder published — while the holder lives', () => {
    const leaseWatch = new LeaseWatch(FAILOVER);
    const held = aLease('s', {
      leaseOwner: 'a',
      leaseCounter: 1,
      metrics: { millisBehindLatest: 40, recordsPerSecond: 12, processingFailures: 3 },
    });
    leaseWatch.observe([held], 0, WALL);
    leaseWatch.observe(
      [{ ...held, leaseCounter: 2, checkpoint: { sequenceNumber: '100', subSequenceNumber: 0 } }],
      3000,
      WALL + 3000,
    );
    const view = (at: number) => {
      const [only] = leaseWatch.views(at);
      return only;
    };
    expect(view(4000)).toEqual({
      shardId: 's',
      owner: 'a',
      counter: 2,
      checkpoint: '100',
      checkpointAgeMs: 1000,
      counterAgeMs: 1000,
      expired: false,
      expiresInMs: null,
      finished: false,
      millisBehindLatest: 40,
      recordsPerSecond: 12,
      // Its processor threw three times in a row on the batch in hand: a stuck shard.
      processingFailures: 3,
    });
    // Not renewed for more than half the failover time: a countdown to its expiry, its last figures still shown.
    expect(view(9000)).toMatchObject({ expired: false, expiresInMs: 4000, recordsPerSecond: 12 });
    // Expired: no figures, as nobody is reading the shard any more.
    expect(view(20_000)).toMatchObject({
      expired: true,
      expiresInMs: null,
      counterAgeMs: 17_000,
      millisBehindLatest: null,
      recordsPerSecond: null,
      processingFailures: 0,
    });
  });

  it('shows no figures for a finished shard or one nobody holds', () => {
    const leaseWatch = new LeaseWatch(FAILOVER);
    const metrics = { millisBehindLatest: 0, recordsPerSecond: 7 };
    leaseWatch.observe(
      [
        aLease('done', { leaseOwner: 'a', checkpoint: { sequenceNumber: 'SHARD_END', subSequenceNumber: 0 }, metrics }),
        aLease('free', { metrics }),
      ],
      0,
      WALL,
    );
    expect(
      leaseWatch.views(1000).map((view) => [view.shardId, view.recordsPerSecond, view.millisBehindLatest]),
    ).toEqual([
      ['done', null, null],
      ['free', null, null],
    ]);
  });
});

describe('LeaseWatch, from the changes of owner the workers record on the lease', () => {
  const transition = (kind: string, worker: string, from: string | null, atMs: number, counter: number) => ({
    kind: kind as 'took',
    worker,
    from,
    at: WALL + atMs,
    counter,
  });
  const observeAt = (leaseWatch: LeaseWatch, ms: number, lease: ReturnType<typeof aLease>) =>
    leaseWatch
      .observe([lease], ms, WALL + ms)
      .map(({ at, kind, worker, from }) => ({ at: Date.parse(at) - WALL, kind, worker, from }));

  it('reads a release and a re-take between two reads as released, then took, when they happened — never a steal', () => {
    const leaseWatch = new LeaseWatch(FAILOVER);
    observeAt(leaseWatch, 0, aLease('s', { leaseOwner: 'worker-3', leaseCounter: 7 }));
    // worker-3 stops cleanly at 400 ms; worker-1 takes the free lease 150 ms later; the next read is at 1000 ms.
    const after = aLease('s', {
      leaseOwner: 'worker-1',
      leaseCounter: 9,
      transitions: [transition('released', 'worker-3', null, 400, 8), transition('took', 'worker-1', null, 550, 9)],
    });
    expect(observeAt(leaseWatch, 1000, after)).toEqual([
      { at: 400, kind: 'released', worker: 'worker-3', from: null },
      { at: 550, kind: 'took', worker: 'worker-1', from: null },
    ]);
  });

  it('reads a take after expiry as expired, then took — once, if the watcher had seen the expiry itself', () => {
    const leaseWatch = new LeaseWatch(FAILOVER);
    observeAt(leaseWatch, 0, aLease('s', { leaseOwner: 'a', leaseCounter: 5 }));
    const taken = aLease('s', {
      leaseOwner: 'b',
      leaseCounter: 6,
      transitions: [transition('took-expired', 'b', 'a', FAILOVER + 300, 6)],
    });
    expect(observeAt(leaseWatch, FAILOVER + 1000, taken).map(({ kind, worker }) => [kind, worker])).toEqual([
      ['expired', 'a'],
      ['took', 'b'],
    ]);

    const seeing = new LeaseWatch(FAILOVER);
    observeAt(seeing, 0, aLease('s', { leaseOwner: 'a', leaseCounter: 5 }));
    expect(
      observeAt(seeing, FAILOVER + 1, aLease('s', { leaseOwner: 'a', leaseCounter: 5 })).map(({ kind }) => kind),
    ).toEqual(['expired']);
    expect(observeAt(seeing, FAILOVER + 1000, taken).map(({ kind, worker }) => [kind, worker])).toEqual([
      ['took', 'b'],
    ]);
  });

  it('orders a reshard as it happened: the parent finished and released before its child was taken', () => {
    const leaseWatch = new LeaseWatch(FAILOVER);
    leaseWatch.observe([aLease('parent', { leaseOwner: 'a', leaseCounter: 3 })], 0, WALL);
    const events = leaseWatch.observe(
      [
        // Listed first, as a scan may: the child, taken at 700 ms.
        aLease('child', { leaseOwner: 'a', leaseCounter: 1, transitions: [transition('took', 'a', null, 700, 1)] }),
        aLease('parent', {
          leaseCounter: 5,
          checkpoint: { sequenceNumber: 'SHARD_END', subSequenceNumber: 0 },
          transitions: [transition('released', 'a', null, 300, 5)],
        }),
      ],
      1000,
      WALL + 1000,
    );
    expect(events.map(({ at, kind, shardId }) => [Date.parse(at) - WALL, kind, shardId])).toEqual([
      [300, 'finished', 'parent'],
      [300, 'released', 'parent'],
      [700, 'took', 'child'],
    ]);
  });
});
