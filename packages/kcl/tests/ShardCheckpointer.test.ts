import { describe, expect, it } from 'vitest';
import { InvalidCheckpointError, LeaseLostError, silentLogger } from '../src/index.js';
import { LeaseRenewer } from '../src/LeaseRenewer.js';
import { ShardCheckpointer } from '../src/ShardCheckpointer.js';
import { FakeClock } from './helpers/FakeClock.js';
import { InMemoryLeaseStore } from './helpers/InMemoryLeaseStore.js';
import { aLease } from './helpers/leaseFactory.js';

const at = (sequenceNumber: string, subSequenceNumber = 0) => ({ sequenceNumber, subSequenceNumber });

function setup() {
  const store = new InMemoryLeaseStore();
  const renewer = new LeaseRenewer({
    store,
    clock: new FakeClock(),
    log: silentLogger,
    failoverMs: 10_000,
    onLeaseLost: () => {},
  });
  const lease = aLease('s', { leaseOwner: 'me', checkpoint: at('100', 2) });
  store.leases.set('s', lease);
  renewer.add(lease);
  const checkpointer = new ShardCheckpointer('s', renewer, store, lease.checkpoint, undefined);
  checkpointer.lastDelivered = at('300', 1);
  return { store, checkpointer };
}

describe('ShardCheckpointer', () => {
  it('moves forward by sequence number, then by sub-sequence number', async () => {
    const { store, checkpointer } = setup();
    await checkpointer.checkpoint(at('100', 3));
    await checkpointer.checkpoint(at('200'));
    await checkpointer.checkpoint(at('300', 1), { applicationState: 'marks' });
    expect(store.leases.get('s')).toMatchObject({ checkpoint: at('300', 1), applicationState: 'marks' });
  });

  it('compares sequence numbers as numbers, not as text', async () => {
    const { checkpointer } = setup();
    checkpointer.lastDelivered = at('1000');
    await expect(checkpointer.checkpoint(at('99'))).rejects.toBeInstanceOf(InvalidCheckpointError);
    await expect(checkpointer.checkpoint(at('999'))).resolves.toBeUndefined();
  });

  it('refuses to go backwards or past the last delivered record', async () => {
    const { store, checkpointer } = setup();
    await expect(checkpointer.checkpoint(at('100', 1))).rejects.toThrow(/behind the current one, 100\/2/);
    await expect(checkpointer.checkpoint(at('300', 2))).rejects.toThrow(/past the last record delivered, 300\/1/);
    expect(store.writes).toBe(0);
  });

  it('without a position: the batch in hand within processRecords, else the last batch finished; SHARD_END at the end', async () => {
    const { store, checkpointer } = setup();
    // Delivered up to 300/1, but no batch finished yet: outside processRecords it stays at 100/2.
    await checkpointer.checkpoint();
    expect(store.leases.get('s')?.checkpoint).toEqual(at('100', 2));
    await checkpointer.whileProcessing(() => checkpointer.checkpoint());
    expect(store.leases.get('s')?.checkpoint).toEqual(at('300', 1));
    // The next batch, up to 400, is in hand and keeps failing: a checkpoint outside it does not pass 300/1.
    checkpointer.lastDelivered = at('400');
    await checkpointer.checkpoint();
    expect(store.leases.get('s')?.checkpoint).toEqual(at('300', 1));
    checkpointer.batchDone();
    await checkpointer.checkpoint();
    expect(store.leases.get('s')?.checkpoint).toEqual(at('400'));
    await expect(checkpointer.checkpoint(at('SHARD_END'))).rejects.toThrow(/SHARD_END before/);
    checkpointer.atShardEnd = true;
    await checkpointer.checkpoint();
    expect(store.leases.get('s')?.checkpoint).toEqual(at('SHARD_END'));
  });

  it('fails with LeaseLostError once another worker owns the lease', async () => {
    const { store, checkpointer } = setup();
    store.bump('s', { leaseOwner: 'other' });
    await expect(checkpointer.checkpoint()).rejects.toBeInstanceOf(LeaseLostError);
  });
});
