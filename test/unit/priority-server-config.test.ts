import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { parseConfig } from '../../config';
import { priorityChecks } from '../../cli/actions/priority-status';
import { priorityDynamicConfig } from '../../infra/temporal/priority-dynamic-config';

const root = path.resolve(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

/** The dynamic config write-config.sh writes: the heredoc after `cat >"$dynamic"`. */
/** The one dynamic config file of the script cluster and of compose (write-config.sh copies it). */
function clusterDynamicConfig(): unknown {
  if (!read('infra/temporal/cluster/write-config.sh').includes('../dynamicconfig.yaml')) {
    throw new Error('write-config.sh no longer copies infra/temporal/dynamicconfig.yaml');
  }
  return parse(read('infra/temporal/dynamicconfig.yaml'));
}

describe('priority and fairness on the Temporal server', () => {
  const expected = Object.fromEntries(
    Object.entries(priorityDynamicConfig).map(([key, value]) => [key, [{ value }]]),
  );

  it('every cluster deployment file sets the keys the dev server gets', () => {
    expect(Object.keys(priorityDynamicConfig).sort()).toEqual([
      'matching.enableFairness',
      'matching.useNewMatcher',
    ]);
    expect(clusterDynamicConfig()).toMatchObject(expected);
    const values = parse(read('infra/k8s/temporal/values.yaml')) as { server: { dynamicConfig: unknown } };
    expect(values.server.dynamicConfig).toMatchObject(expected);
    // Compose mounts the same file into every server container, where the environment points.
    const compose = parse(read('infra/compose/compose.yaml'), { merge: true }) as {
      services: { temporal: { environment: Record<string, string>; volumes: string[] } };
    };
    const target = compose.services.temporal.environment.DYNAMIC_CONFIG_FILE_PATH;
    expect(compose.services.temporal.volumes).toContain(`../temporal/dynamicconfig.yaml:${target}:ro`);
  });

  it('sprint status: active on the server sprint dev starts, judged by version elsewhere, off when off', () => {
    const embedded = priorityChecks(parseConfig({}), '1.32.0');
    expect(embedded.map((c) => [c.what, c.ok])).toEqual([
      ['priority', true],
      ['priority on the server', true],
    ]);
    expect(embedded[0]!.detail).toMatch(
      /interactive 1\/2 \(serve, ask\), batch 3\/4 \(eval, curate, pipeline\)/,
    );
    expect(embedded[1]!.detail).toMatch(/active where sprint dev started the server/);

    const remote = (version: string) =>
      priorityChecks(parseConfig({ temporal: { address: 'temporal.internal:7233' } }), version)[1]!;
    expect(remote('1.27.2').ok).toBe(false);
    expect(remote('1.28.1').ok).toBe(true);
    expect(remote('1.28.1').detail).toMatch(/fairness needs server 1\.29/);
    expect(remote('1.32.0').ok).toBe(true);
    expect(remote('1.32.0').detail).toMatch(/fairness needs matching\.enableFairness/);

    const off = priorityChecks(parseConfig({ priority: { enabled: false } }), '1.32.0');
    expect(off.map((c) => [c.what, c.ok])).toEqual([['priority', true]]);
    expect(off[0]!.detail).toMatch(/^off/);
  });
});
