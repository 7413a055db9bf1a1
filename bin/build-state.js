// Whether dist/ holds a build of the sources beside it. Plain JavaScript: it runs before anything
// is compiled. Shared by bin/sprint.js (which code to run) and scripts/build.js (what to stamp).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
/** Folders compiled into dist/ (tsconfig.build.json's include). */
const SOURCE_DIRS = ['activities', 'cli', 'config', 'core', 'infra', 'io', 'workers', 'workflows'];
/** Written last by the build: its mtime is the build's time. */
const STAMP = path.join(root, 'dist', '.build-stamp');
const MAIN = path.join(root, 'dist', 'cli', 'main.js');

/** Newest mtime (ms) of the TypeScript sources and build settings; 0 in a package without sources. */
function newestSourceMtime() {
  let newest = 0;
  const visit = (dir) => {
    let entries;
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && e.name !== '__pycache__' && e.name !== 'tests') visit(p);
      } else if (e.name.endsWith('.ts')) {
        newest = Math.max(newest, fs.statSync(p).mtimeMs);
      }
    }
  };
  for (const d of SOURCE_DIRS) visit(path.join(root, d));
  for (const f of ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json']) {
    try {
      newest = Math.max(newest, fs.statSync(path.join(root, f)).mtimeMs);
    } catch {
      // absent in an installed package
    }
  }
  return newest;
}

/** 'fresh' | 'stale' | 'missing' */
function buildState() {
  let stamp;
  try {
    stamp = fs.statSync(STAMP).mtimeMs;
  } catch {
    return 'missing';
  }
  if (!fs.existsSync(MAIN)) return 'missing';
  return newestSourceMtime() > stamp ? 'stale' : 'fresh';
}

module.exports = { root, SOURCE_DIRS, STAMP, MAIN, buildState, newestSourceMtime };
