// Whether dist/ holds a build of the sources beside it. Plain JavaScript: it runs before anything
// is compiled. Shared by bin/sprint.js (which code to run) and scripts/build.js (what to stamp).
//
// It runs on every `sprint` start, so it must be cheap. The build writes a manifest into its stamp:
// the source files and folders it compiled from. The check then stats just those paths (no folder
// walk, no hashing): an edited file has a newer mtime than the stamp, and a file added, removed or
// renamed changes its folder's mtime. An installed package has no sources and is fresh by
// construction (one stat). A stamp without a manifest (an older build) falls back to the walk.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const defaultRoot = path.resolve(__dirname, '..');
/** Folders compiled into dist/ (tsconfig.build.json's include). */
const SOURCE_DIRS = ['activities', 'cli', 'config', 'core', 'infra', 'io', 'serve', 'workers', 'workflows'];
/** Build settings that change the output as much as a source does. */
const SETTINGS = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];
const SKIPPED_DIRS = new Set(['node_modules', '__pycache__', 'tests']);

const stampOf = (root) => path.join(root, 'dist', '.build-stamp');
const mainOf = (root) => path.join(root, 'dist', 'cli', 'main.js');
const STAMP = stampOf(defaultRoot);
const MAIN = mainOf(defaultRoot);

/** The TypeScript sources and the folders that hold them, relative to root. */
function sourceManifest(root = defaultRoot) {
  const files = [];
  const dirs = [];
  const visit = (rel) => {
    let entries;
    try {
      entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    let holdsSources = false;
    for (const e of entries) {
      const p = path.join(rel, e.name);
      if (e.isDirectory()) {
        if (!SKIPPED_DIRS.has(e.name)) visit(p);
      } else if (e.name.endsWith('.ts')) {
        files.push(p);
        holdsSources = true;
      }
    }
    // Only folders that hold sources: others (infra/sft, where Python writes __pycache__) change
    // for reasons that are not edits. A new file that matters is imported by an edited one anyway.
    if (holdsSources) dirs.push(rel);
  };
  for (const d of SOURCE_DIRS) visit(d);
  return { files, dirs };
}

/** The stamp's text: the build time for people, then the manifest for buildState. */
function stampText(root = defaultRoot) {
  return JSON.stringify({ builtAt: new Date().toISOString(), ...sourceManifest(root) }) + '\n';
}

/** Newest mtime (ms) of the given paths under root; Infinity when one is gone. */
function newestMtime(root, rels, mayBeAbsent = false) {
  let newest = 0;
  for (const rel of rels) {
    const st = fs.statSync(path.join(root, rel), { throwIfNoEntry: false });
    if (st) newest = Math.max(newest, st.mtimeMs);
    else if (!mayBeAbsent) return Infinity;
  }
  return newest;
}

/** The newest mtime of the sources by walking every source folder (a stamp without a manifest). */
function newestSourceMtime(root = defaultRoot) {
  const { files } = sourceManifest(root);
  return Math.max(newestMtime(root, files), newestMtime(root, SETTINGS, true));
}

function readManifest(root) {
  try {
    const m = JSON.parse(fs.readFileSync(stampOf(root), 'utf8'));
    return Array.isArray(m.files) && Array.isArray(m.dirs) ? m : undefined;
  } catch {
    return undefined;
  }
}

/** 'fresh' | 'stale' | 'missing' */
function buildState(root = defaultRoot) {
  const stamp = fs.statSync(stampOf(root), { throwIfNoEntry: false });
  if (!stamp || !fs.existsSync(mainOf(root))) return 'missing';
  // An installed package ships dist/ without the TypeScript sources: nothing to compare against.
  if (!fs.existsSync(path.join(root, 'cli', 'main.ts'))) return 'fresh';
  const manifest = readManifest(root);
  const newest = manifest
    ? Math.max(
        newestMtime(root, manifest.files),
        newestMtime(root, manifest.dirs),
        newestMtime(root, SETTINGS, true),
      )
    : newestSourceMtime(root);
  return newest > stamp.mtimeMs ? 'stale' : 'fresh';
}

module.exports = { root: defaultRoot, SOURCE_DIRS, STAMP, MAIN, buildState, newestSourceMtime, stampText };
