/** A small, history-safe pointer to content in the store. */
export interface ArtifactRef {
  /** `artifact://sha256/<hex>[.ext]`: location-independent, resolved against each worker's store root. */
  uri: string;
  sha256: string;
  bytes: number;
}
