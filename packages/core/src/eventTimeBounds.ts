/**
 * How far a trade's own timestamp (its event time) may lie from the moment its record
 * arrived in Kinesis (`ApproximateArrivalTimestamp`, on Kinesis's clock) for the trade
 * to be put in a window. Outside these bounds it is "out of range": counted, never
 * windowed. The arrival time is fixed per record, so the verdict is the same for every
 * worker and every replay, and a single odd timestamp can neither open a window far from
 * now nor make a stage walk through every window between.
 */
export interface EventTimeBounds {
  /** A trade timestamped more than this after its record arrived is out of range. */
  readonly maxAheadMs: number;
  /** A trade timestamped more than this before its record arrived is out of range. */
  readonly maxBehindMs: number;
}

/** Five minutes either way: clock skew and retries pass, a replay of yesterday or a date in 2099 do not. */
export const DEFAULT_EVENT_TIME_BOUNDS: EventTimeBounds = { maxAheadMs: 5 * 60_000, maxBehindMs: 5 * 60_000 };

export const EventTime = { IN_RANGE: 'in-range', AHEAD: 'ahead', BEHIND: 'behind' } as const;
export type EventTime = (typeof EventTime)[keyof typeof EventTime];

/** Whether `eventMs` lies within the bounds around `arrivalMs` (both inclusive). NaN is never in range. */
export function classifyEventTime(eventMs: number, arrivalMs: number, bounds: EventTimeBounds): EventTime {
  if (eventMs > arrivalMs + bounds.maxAheadMs) return EventTime.AHEAD;
  if (eventMs >= arrivalMs - bounds.maxBehindMs) return EventTime.IN_RANGE;
  return EventTime.BEHIND;
}
