import type { ArtifactRef } from './artifact-ref';

/**
 * A text kept in the artifact store instead of a Temporal payload (core/session/payload-limits.ts):
 * where it is and how long it is (UTF-16 code units). Model workers that store or read one share
 * the control worker's artifact store (`artifacts.root`).
 */
export interface StoredText {
  stored: ArtifactRef;
  chars: number;
}

/** A session text as workflow code holds it: inline, or stored past a size threshold. */
export type SessionText = string | StoredText;
