import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../io/package-root';

/** The version in sprint's package.json (read at run time: the same file in a clone and a package). */
export function packageVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? 'unknown';
}
