// Puts this checkout's own `sprint` in node_modules/.bin (run by `prepare` and scripts/setup.sh).
// `npx sprint` in a clone looks there first; without the link, npm installs the clone into its npx
// cache and builds it again there (about a minute on the first call, and a cache entry that a
// killed call leaves broken). An installed package needs none of this: npm links its bin itself.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const binDir = path.join(root, 'node_modules', '.bin');
const link = path.join(binDir, 'sprint');
const target = path.join('..', '..', 'bin', 'sprint.js');

if (fs.existsSync(path.join(root, 'node_modules'))) {
  let current;
  try {
    current = fs.readlinkSync(link);
  } catch {
    current = undefined;
  }
  if (current !== target) {
    fs.mkdirSync(binDir, { recursive: true });
    fs.rmSync(link, { force: true });
    fs.symlinkSync(target, link);
  }
}
