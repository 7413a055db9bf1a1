/*
 * The one Hub module: models and datasets, pushes with LFS-aware change detection, downloads, and the
 * local mirror used without a token. Plain I/O (no Temporal), usable from activities, the CLI and tests.
 */
export { changedFiles, sameContent, type LocalFile, type RemoteFile } from './changes';
export { hubParams, repoUrl, type HubConnection, type HubRepoId, type HubRepoType } from './connection';
export { describeRepo, downloadBlob, downloadText, listRepoFiles, type HubFileRef } from './download';
export { gitBlobId, sha256Hex } from './hashes';
export { mirrorFiles, type MirrorResult } from './local-mirror';
export { pushFiles, remoteFiles, type PushFilesInput, type PushFilesResult, type PushProgress } from './push';
