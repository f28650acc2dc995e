import type { ExtendedSequenceNumber, RecordProcessorCheckpointer } from '@stock-trades/kcl';

/**
 * A checkpointer for a processor under test, from TRIM_HORIZON: every write it is asked for,
 * as the lease would see them (a write without a position writes the last one again).
 */
export function recordingCheckpointer() {
  const writes: Array<{ position: ExtendedSequenceNumber; state?: string }> = [];
  const checkpointer: RecordProcessorCheckpointer & { lastCheckpoint: ExtendedSequenceNumber } = {
    lastCheckpoint: { sequenceNumber: 'TRIM_HORIZON', subSequenceNumber: 0 },
    applicationState: undefined,
    async checkpoint(position, options) {
      const target = position ?? this.lastCheckpoint;
      writes.push({ position: target, state: options?.applicationState });
      this.lastCheckpoint = target;
    },
  };
  return { checkpointer, writes };
}
