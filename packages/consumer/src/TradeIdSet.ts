/** Ids per chunk: one chunk is eight 32-bit words. */
const CHUNK_IDS = 256;
const WORD_BITS = 32;

/**
 * A set of trade ids (non-negative safe integers) as bitmaps of 256 ids each, kept only
 * for the ranges that hold ids. A producer numbers its trades 1, 2, 3…, so the ids one
 * shard sees in one window lie close together: a window of 3,000 trades across four shards
 * costs each shard about 12 chunks of 32 bytes, not 3,000 boxed numbers. (A roaring bitmap
 * library does this with more kinds of container; the ones on npm are native or WebAssembly
 * builds, more than this one job needs.)
 */
export class TradeIdSet {
  private readonly chunks = new Map<number, Uint32Array>();
  private count = 0;

  /** How many ids are in the set. */
  get size(): number {
    return this.count;
  }

  has(id: number): boolean {
    const chunk = this.chunks.get(Math.floor(id / CHUNK_IDS));
    if (!chunk) return false;
    const bit = id % CHUNK_IDS;
    return ((chunk[bit >>> 5] ?? 0) & (1 << (bit & (WORD_BITS - 1)))) !== 0;
  }

  /** Adds the id; false when it was already there. */
  add(id: number): boolean {
    const index = Math.floor(id / CHUNK_IDS);
    let chunk = this.chunks.get(index);
    if (!chunk) {
      chunk = new Uint32Array(CHUNK_IDS / WORD_BITS);
      this.chunks.set(index, chunk);
    }
    const bit = id % CHUNK_IDS;
    const word = bit >>> 5;
    const mask = 1 << (bit & (WORD_BITS - 1));
    if (((chunk[word] ?? 0) & mask) !== 0) return false;
    chunk[word] = (chunk[word] ?? 0) | mask;
    this.count++;
    return true;
  }
}
