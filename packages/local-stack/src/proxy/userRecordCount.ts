/** The KPL's four magic bytes, at the start of every aggregated record. */
const KPL_MAGIC = Buffer.from([0xf3, 0x89, 0x9a, 0xc2]);
/** The MD5 digest that ends an aggregated record. */
const DIGEST_BYTES = 16;
/** Field 3 of the AggregatedRecord message, length-delimited: one user record. */
const RECORDS_TAG = (3 << 3) | 2;

/**
 * How many user records (trades, for our producer) a Kinesis record's data holds: the
 * number of `records` entries of a KPL aggregate (magic bytes, a protobuf
 * AggregatedRecord, an MD5), or 1 for anything else. It only walks the message's
 * top-level fields; a malformed aggregate counts as 1, as the consumer would see it.
 */
export function userRecordCount(data: Buffer): number {
  if (data.length < KPL_MAGIC.length + DIGEST_BYTES || !data.subarray(0, KPL_MAGIC.length).equals(KPL_MAGIC)) return 1;
  const end = data.length - DIGEST_BYTES;
  let at = KPL_MAGIC.length;
  let records = 0;
  const varint = (): number | undefined => {
    let value = 0;
    for (let shift = 0; shift < 35 && at < end; shift += 7) {
      const byte = data[at++] ?? 0;
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
    return undefined;
  };
  while (at < end) {
    const tag = varint();
    if (tag === undefined) return 1;
    const wireType = tag & 7;
    if (wireType === 0) {
      if (varint() === undefined) return 1;
    } else if (wireType === 2) {
      const length = varint();
      if (length === undefined || at + length > end) return 1;
      at += length;
      if (tag === RECORDS_TAG) records++;
    } else return 1;
  }
  return Math.max(1, records);
}
