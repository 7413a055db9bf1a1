import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';

/*
 * The deployment files' security defaults, read from the files users apply: every pod of sprint's
 * Kubernetes base runs unprivileged under the runtime's seccomp profile with a read-only root
 * filesystem and memory limits, ingress is denied unless a policy lets it in, and compose publishes
 * Temporal and its UI on loopback only.
 */
const root = path.resolve(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

interface Container {
  name: string;
  securityContext?: Record<string, unknown>;
  resources?: { limits?: Record<string, unknown>; requests?: Record<string, unknown> };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  securityContext: { runAsUser?: number } & Record<string, unknown>;
  containers: Container[];
  volumes: { name: string }[];
}
interface Rule {
  from: unknown[];
  ports: { port: number }[];
}
/** The fields of a manifest (or compose file) this test reads. */
interface Doc {
  kind: string;
  metadata: { name: string };
  spec: { template: { spec: PodSpec }; podSelector: unknown; ingress?: Rule[] };
  resources: string[];
  services: Record<string, { ports: string[] }>;
}
const docsOf = (file: string) => parseAllDocuments(read(file)).map((d) => d.toJS() as Doc);

const podFiles = [
  'infra/k8s/base/workers.yaml',
  'infra/k8s/base/engine-main.yaml',
  'infra/k8s/base/temporal-setup/job.yaml',
];
const workloads = podFiles.flatMap((file) =>
  docsOf(file)
    .filter((d) => ['Deployment', 'StatefulSet', 'Job'].includes(d.kind))
    .map((d) => ({ name: `${file} ${d.kind}/${d.metadata.name}`, pod: d.spec.template.spec })),
);

describe('Kubernetes pods run hardened', () => {
  it('finds the workloads it checks', () => {
    expect(workloads.map((w) => w.name.split(' ')[1])).toEqual([
      'Deployment/sprint-control',
      'Deployment/sprint-curation',
      'Deployment/sprint-training',
      'StatefulSet/engine-main',
      'Job/sprint-temporal-setup',
    ]);
  });

  it.each(workloads)('$name: non-root, seccomp RuntimeDefault', ({ pod }) => {
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
  });

  it.each(workloads)(
    '$name: every container read-only, no escalation, no capabilities, memory-limited',
    ({ pod }) => {
      for (const c of pod.containers) {
        expect({ container: c.name, ...c.securityContext }).toMatchObject({
          container: c.name,
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(c.resources?.limits?.memory).toBeDefined();
        expect(c.resources?.requests?.cpu).toBeDefined();
        // A read-only root needs somewhere to write: /tmp comes from a volume of the pod.
        const tmp = (c.volumeMounts ?? []).find((m) => m.mountPath === '/tmp');
        expect(tmp && pod.volumes.some((v) => v.name === tmp.name)).toBe(true);
      }
    },
  );
});

describe('network exposure', () => {
  it('denies ingress to sprint pods by default and lets engines be reached only by sprint pods', () => {
    expect(docsOf('infra/k8s/base/kustomization.yaml')[0]!.resources).toContain('network-policy.yaml');
    const [deny, engines] = docsOf('infra/k8s/base/network-policy.yaml');
    expect(deny).toMatchObject({
      kind: 'NetworkPolicy',
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    });
    expect(deny!.spec.ingress).toBeUndefined();
    expect(engines!.spec.ingress).toEqual([
      {
        from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'sprint' } } }],
        ports: [{ protocol: 'TCP', port: 8000 }],
      },
    ]);
  });

  it("admits only Temporal's own pods and sprint's pods to the frontend's 7233", () => {
    const [frontend] = docsOf('infra/k8s/temporal/network-policy.yaml');
    const grpc = frontend!.spec.ingress!.find((r) => r.ports[0]!.port === 7233);
    expect(grpc!.from).toEqual([
      { podSelector: {} },
      { namespaceSelector: {}, podSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'sprint' } } },
    ]);
  });

  it('compose publishes Temporal and its Web UI on loopback only', () => {
    const compose = docsOf('infra/compose/compose.yaml')[0]!;
    for (const service of ['temporal', 'temporal-ui']) {
      const ports: string[] = compose.services[service]!.ports;
      expect(ports.length).toBeGreaterThan(0);
      for (const p of ports) expect(p).toMatch(/^127\.0\.0\.1:/);
    }
  });
});
