/*
 * Where and as whom the Hub is reached. One shape for every Hub call in the tree, turned into the
 * common parameters @huggingface/hub takes, so no caller spreads optional fields by hand.
 */

export interface HubConnection {
  /** Hub endpoint, e.g. `https://huggingface.co` (trailing slashes are ignored). */
  hubUrl: string;
  /** Read from the caller's own environment; never part of workflow inputs. */
  accessToken?: string;
  /** Injected for tests (a loopback Hub double) or proxies. */
  fetch?: typeof fetch;
}

export type HubRepoType = 'model' | 'dataset';

export interface HubRepoId {
  type: HubRepoType;
  /** `namespace/name`. */
  name: string;
}

export function hubParams(conn: HubConnection): {
  hubUrl: string;
  accessToken?: string;
  fetch?: typeof fetch;
} {
  return {
    hubUrl: conn.hubUrl.replace(/\/+$/, ''),
    ...(conn.accessToken ? { accessToken: conn.accessToken } : {}),
    ...(conn.fetch ? { fetch: conn.fetch } : {}),
  };
}

/** The repo's page on the Hub: models at the root, datasets under `/datasets/`. */
export function repoUrl(conn: HubConnection, repo: HubRepoId): string {
  const base = hubParams(conn).hubUrl;
  return repo.type === 'model' ? `${base}/${repo.name}` : `${base}/datasets/${repo.name}`;
}
