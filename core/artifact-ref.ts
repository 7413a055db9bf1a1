/** A small, history-safe pointer to content in the store. */
export interface ArtifactRef {
  /** `artifact://sha256/<hex>[.ext]`: location-independent, resolved against each worker's store root. */
  uri: string;
  sha256: string;
  bytes: number;
}

/** The uri of a ref, or the uri itself. */
export const artifactUri = (ref: ArtifactRef | string): string => (typeof ref === 'string' ? ref : ref.uri);
