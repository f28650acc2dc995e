/**
 * A position in a shard: a Kinesis sequence number plus, for records that came out of a
 * KPL aggregate, the index of the user record inside it. Or one of the sentinels.
 */
export interface ExtendedSequenceNumber {
  readonly sequenceNumber: string;
  readonly subSequenceNumber: number;
}

/** The positions that are not sequence numbers, as the lease table stores them in `checkpoint`. */
export const Sentinel = {
  TRIM_HORIZON: 'TRIM_HORIZON',
  LATEST: 'LATEST',
  AT_TIMESTAMP: 'AT_TIMESTAMP',
  /** The shard is closed and every record in it was processed. */
  SHARD_END: 'SHARD_END',
} as const;
/** One of the sentinel values. */
export type Sentinel = (typeof Sentinel)[keyof typeof Sentinel];

const SENTINELS = new Set<string>(Object.values(Sentinel));

export function sentinel(value: Sentinel): ExtendedSequenceNumber {
  return { sequenceNumber: value, subSequenceNumber: 0 };
}

/**
 * Whether the position is one of the sentinels (TRIM_HORIZON, LATEST, AT_TIMESTAMP, SHARD_END).
 *
 * @example
 * isSentinel(checkpointer.lastCheckpoint); // true until the first checkpoint of a new lease
 */
export function isSentinel(position: ExtendedSequenceNumber): boolean {
  return SENTINELS.has(position.sequenceNumber);
}

/** Where each sentinel sorts among real positions (see compareExtended). */
const SENTINEL_RANK: Readonly<Record<string, bigint>> = {
  [Sentinel.TRIM_HORIZON]: -2n,
  [Sentinel.AT_TIMESTAMP]: -2n,
  [Sentinel.LATEST]: -1n,
};

/**
 * Orders positions: TRIM_HORIZON and AT_TIMESTAMP before LATEST before any real
 * sequence number, and SHARD_END after all. Real ones compare as big integers, then by
 * sub-sequence number.
 *
 * @example
 * compareExtended({ sequenceNumber: '100', subSequenceNumber: 2 }, { sequenceNumber: '100', subSequenceNumber: 0 }); // > 0
 * compareExtended({ sequenceNumber: 'TRIM_HORIZON', subSequenceNumber: 0 }, { sequenceNumber: '1', subSequenceNumber: 0 }); // < 0
 */
export function compareExtended(a: ExtendedSequenceNumber, b: ExtendedSequenceNumber): number {
  const rank = (position: ExtendedSequenceNumber): bigint | 'end' =>
    position.sequenceNumber === Sentinel.SHARD_END
      ? 'end'
      : (SENTINEL_RANK[position.sequenceNumber] ?? BigInt(position.sequenceNumber));
  const ra = rank(a);
  const rb = rank(b);
  if (ra === 'end' || rb === 'end') return ra === rb ? 0 : ra === 'end' ? 1 : -1;
  if (ra !== rb) return ra < rb ? -1 : 1;
  return a.subSequenceNumber - b.subSequenceNumber;
}

/**
 * `sequence/sub` for a user record of an aggregate, the sequence number alone otherwise: for logs.
 *
 * @example
 * formatExtended({ sequenceNumber: '4959', subSequenceNumber: 3 }); // '4959/3'
 */
export function formatExtended(position: ExtendedSequenceNumber): string {
  return isSentinel(position) || position.subSequenceNumber === 0
    ? position.sequenceNumber
    : `${position.sequenceNumber}/${position.subSequenceNumber}`;
}

/** True for a string Kinesis could have issued as a sequence number (digits only). */
export function isSequenceNumber(value: string): boolean {
  return /^\d{1,128}$/.test(value);
}
