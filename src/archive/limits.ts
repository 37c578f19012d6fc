/** Limits on what one archive may extract to: the guards against zip bombs. */
export interface ExtractLimits {
  /** Most uncompressed bytes. */
  maxBytes: number;
  /** Most entries. */
  maxEntries: number;
  /** Highest compression ratio of an entry of 1 MiB or more. */
  maxRatio: number;
}
