import { describe, expect, it } from 'vitest';
import { LeaseRenewer } from '../src/LeaseRenewer.js';
import { silentLogger } from '../src/Logger.js';
import { ShardCheckpointer } from '../src/ShardCheckpointer.js';
import { FakeClock } from './helpers/FakeClock.js';
import { InMemoryLeaseStore } from './helpers/InMemoryLeaseStore.js';
import { aLease } from './helpers/leaseFactory.js';

const at = (sequenceNumber: string) => ({ sequenceNumber, subSequenceNumber: 0 });

function setup(applicationState?: string) {
  const store = new InMemoryLeaseStore();
  const renewer = new LeaseRenewer({
    store,
    clock: new FakeClock(),
    log: silentLogger,
    failoverMs: 10_000,
    onLeaseLost: () => {},
  });
  const lease = aLease('s', { leaseOwner: 'me', checkpoint: at('100'), applicationState });
  store.leases.set('s', lease);
  renewer.add(lease);
  const checkpointer = new ShardCheckpointer('s', renewer, store, lease.checkpoint, applicationState);
  return { store, checkpointer };
}

describe('ShardCheckpointer: state and repeats', () => {
  it('may checkpoint again where it stands, as a processor does after a batch with no new records', async () => {
    const { store, checkpointer } = setup();
    checkpointer.lastDelivered = at('200');
    checkpointer.batchDone();
    await checkpointer.checkpoint();

    await expect(checkpointer.checkpoint()).resolves.toBeUndefined();
    expect(store.leases.get('s')?.checkpoint).toEqual(at('200'));
  });

  it('keeps the processor state of the last checkpoint that carried one', async () => {
    const { checkpointer } = setup('from the lease');
    expect(checkpointer.applicationState).toBe('from the lease');
    checkpointer.lastDelivered = at('300');

    await checkpointer.checkpoint(at('200'), { applicationState: 'marks at 200' });
    await checkpointer.checkpoint(at('300'));

    expect(checkpointer.applicationState).toBe('marks at 200');
    expect(checkpointer.lastCheckpoint).toEqual(at('300'));
  });
});
