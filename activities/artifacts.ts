import type { ArtifactRef } from '../core/artifact-ref';
import type { ArtifactStore } from '../io/artifacts';

/** Artifact activities, for workflows that need to store or read small documents by reference. */
export function createArtifactActivities(store: ArtifactStore) {
  return {
    async putJsonArtifact(value: unknown, key?: string): Promise<ArtifactRef> {
      const ref = await store.putJson(value);
      if (key) await store.setKey(key, ref);
      return ref;
    },
    async getJsonArtifact(ref: ArtifactRef): Promise<unknown> {
      return store.getJson(ref);
    },
    async findArtifact(key: string): Promise<ArtifactRef | null> {
      return (await store.getKey(key)) ?? null;
    },
  };
}

export type ArtifactActivities = ReturnType<typeof createArtifactActivities>;
