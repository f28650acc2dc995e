/** Where a worker starts on a shard that has no lease yet. */
export type InitialPosition =
  | { readonly type: 'TRIM_HORIZON' }
  | { readonly type: 'LATEST' }
  | { readonly type: 'AT_TIMESTAMP'; readonly timestamp: Date };

/** The oldest record still in the shard: the default, as the tutorial and the Java KCL's examples start. */
export const TRIM_HORIZON: InitialPosition = { type: 'TRIM_HORIZON' };
