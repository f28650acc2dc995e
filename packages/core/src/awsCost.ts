/**
 * What the pipeline would cost on AWS, at list prices: the dashboard's cost meter and
 * `pnpm teardown` print the same estimate. Kinesis Data Streams, provisioned mode, US East
 * (N. Virginia), from https://aws.amazon.com/kinesis/data-streams/pricing/ as of the date
 * below. DynamoDB (the lease and results tables), CloudWatch and the machines that run the
 * workers are not in it.
 */
export const KINESIS_LIST_PRICES = {
  region: 'us-east-1',
  asOf: '2026-12-04',
  source: 'https://aws.amazon.com/kinesis/data-streams/pricing/',
  /** Per open shard, per hour (provisioned mode). */
  shardHourUsd: 0.015,
  /** Per million PUT payload units: each record is one unit per started 25 KB of payload. */
  perMillionPutPayloadUnitsUsd: 0.014,
} as const;

/** One PUT payload unit per started 25 KB (25 × 1,024 bytes) of a record's payload. */
export const PUT_PAYLOAD_UNIT_BYTES = 25 * 1024;

/** The PUT payload units one record of `bytes` bills (at least one, however small). */
export function putPayloadUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / PUT_PAYLOAD_UNIT_BYTES));
}

export interface CostEstimate {
  readonly shardHours: number;
  readonly putPayloadUnits: number;
  readonly shardHoursUsd: number;
  readonly putPayloadUnitsUsd: number;
  readonly totalUsd: number;
}

export function estimateKinesisCost(usage: { shardHours: number; putPayloadUnits: number }): CostEstimate {
  const shardHoursUsd = usage.shardHours * KINESIS_LIST_PRICES.shardHourUsd;
  const putPayloadUnitsUsd = (usage.putPayloadUnits / 1_000_000) * KINESIS_LIST_PRICES.perMillionPutPayloadUnitsUsd;
  return { ...usage, shardHoursUsd, putPayloadUnitsUsd, totalUsd: shardHoursUsd + putPayloadUnitsUsd };
}

/** Dollars as a class reads them: four places while small ("$0.0123"), else two ("$1.25"); "< $0.0001" for less. */
export function formatUsd(usd: number): string {
  if (usd > 0 && usd < 0.0001) return '< $0.0001';
  return `$${usd < 1 ? usd.toFixed(4) : usd.toFixed(2)}`;
}
