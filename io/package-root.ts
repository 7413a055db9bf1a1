import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The folder of sprint's package.json: the clone, or the installed package. Found by walking up
 * from this file, because the code runs both from sources (`io/`) and compiled (`dist/io/`), and the
 * non-JavaScript parts it spawns (infra/ scripts, .venv, .tools) sit at the package root in both.
 */
function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const packageRoot = findPackageRoot(__dirname);
