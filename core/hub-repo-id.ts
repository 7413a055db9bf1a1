/**
 * A Hub repo id, `owner/name`: letters, digits, `-`, `_` and `.` on each side of one slash (the
 * Hub's own rule), where neither side is `.` or `..` nor holds `..` (the Hub refuses those, and a
 * repo id becomes a path segment in local mirrors and caches). One pattern for every place that
 * takes one (curate --hub, pipeline --repo, evaluation files in the config, checkpoint pushes,
 * model publishing), so a placeholder such as `OWNER/NAME[:PATH]` is refused before any workflow
 * starts instead of failing later in a download.
 */
export const HUB_REPO_ID = /^(?!.*\.\.)(?!\.\/)(?!.*\/\.$)[\w.-]+\/[\w.-]+$/;

export function isHubRepoId(s: string): boolean {
  return HUB_REPO_ID.test(s);
}
