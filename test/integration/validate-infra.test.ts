/**
 * scripts/validate-infra.sh must fail, naming the problem, on broken deployment files (so a green
 * run means something): each case copies infra/ to a temp tree, breaks one thing, and validates it.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const repo = path.resolve(__dirname, '..', '..');

function copyInfra(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-infra-'));
  fs.cpSync(path.join(repo, 'infra'), path.join(root, 'infra'), {
    recursive: true,
    filter: (src) => !src.includes(`${path.sep}node_modules`) && !src.includes('__pycache__'),
  });
  return root;
}

function edit(root: string, rel: string, from: string | RegExp, to: string): void {
  const file = path.join(root, rel);
  const text = fs.readFileSync(file, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`test setup: ${String(from)} not found in ${rel}`);
  fs.writeFileSync(file, next);
}

function validate(root: string): { status: number | null; output: string } {
  const res = spawnSync('bash', [path.join(repo, 'scripts', 'validate-infra.sh'), '--root', root], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 600_000,
  });
  return { status: res.status, output: `${res.stdout}\n${res.stderr}` };
}

describe('scripts/validate-infra.sh', () => {
  const roots: string[] = [];
  const fresh = () => {
    const root = copyInfra();
    roots.push(root);
    return root;
  };
  afterAll(() => {
    for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
  });

  // The files as committed are validated by `npm test`'s own step (scripts/test.sh runs this script
  // on the checkout, and fails when it does): here, only broken copies.

  it('fails on an unknown field in a Kubernetes manifest of the base', () => {
    const root = fresh();
    edit(
      root,
      'infra/k8s/base/workers.yaml',
      'terminationGracePeriodSeconds: 60',
      'terminationGracePeriodSecondz: 60',
    );
    const { status, output } = validate(root);
    expect(status).toBe(1);
    expect(output).toMatch(/overlay-dev\.yaml INVALID/);
    expect(output).toContain("'terminationGracePeriodSecondz' was unexpected");
    // What is not broken is still reported as checked.
    expect(output).toMatch(/render: {2}infra\/k8s\/overlays\/prod \(\d+ resources\)/);
    expect(output).toContain('k8s:     infra/k8s/temporal/network-policy.yaml valid');
    expect(output).toContain('compose: infra/compose/compose.yaml valid');
  });

  it('fails on a wrong type in the training Job template', () => {
    const root = fresh();
    edit(root, 'infra/k8s/base/training/job-template.yaml', 'backoffLimit: 0', 'backoffLimit: none');
    const { status, output } = validate(root);
    expect(status).toBe(1);
    expect(output).toMatch(/job-template\.yaml INVALID[\s\S]*backoffLimit/);
  });

  it('fails when an overlay does not render', () => {
    const root = fresh();
    edit(root, 'infra/k8s/overlays/prod/kustomization.yaml', '  - pdb.yaml\n', '  - missing-file.yaml\n');
    const { status, output } = validate(root);
    expect(status).toBe(1);
    expect(output).toContain('render:  infra/k8s/overlays/prod FAILED');
  });

  it('fails on an unknown key in the compose file', () => {
    const root = fresh();
    edit(root, 'infra/compose/compose.yaml', '    image: postgres:16.10', '    imagee: postgres:16.10');
    const { status, output } = validate(root);
    expect(status).toBe(1);
    expect(output).toContain('compose: infra/compose/compose.yaml INVALID');
    expect(output).toContain("'imagee' was unexpected");
  });

  it('fails when engine pods and configured replicas disagree, or a compose worker names no replica', () => {
    const root = fresh();
    edit(root, 'infra/k8s/overlays/prod/kustomization.yaml', /value: 4/, 'value: 5');
    edit(
      root,
      'infra/compose/compose.yaml',
      "'--replica', 'gpu1']\n    environment",
      "'--replica', 'gpu7']\n    environment",
    );
    const { status, output } = validate(root);
    expect(status).toBe(1);
    expect(output).toContain(
      'StatefulSet engine-main: 5 pod(s), but the config lists 4 replica(s) of pool "main"',
    );
    expect(output).toContain('llm worker for replica "gpu7", which pool "main" does not list');
  });

  it('fails when a config breaks the sprint schema or the search attributes drift from the code', () => {
    const root = fresh();
    edit(root, 'infra/k8s/base/sprint.config.yaml', 'timeoutMs: 600000', 'timeoutMs: soon');
    edit(root, 'infra/temporal/cluster-setup.sh', ' SprintLoss=Double"', '"');
    const { status, output } = validate(root);
    expect(status).toBe(1);
    expect(output).toMatch(/base\/sprint\.config\.yaml: models\.pools\.main\.timeoutMs: expected number/);
    expect(output).toContain('does not register SprintLoss=Double');
    expect(output).toContain('differs from');
  });
});
