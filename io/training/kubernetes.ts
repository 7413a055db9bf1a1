import { createRequire } from 'node:module';
import type { KubernetesLauncherConfig } from '../../config/schema/training';
import { mapPath } from './args';
import { TimestampedLines, TRAINER_IN_IMAGE } from './docker';
import type { JobHandle, JobStatus, LaunchSpec, Launcher, LineReader } from './types';

/*
 * Kubernetes launcher: one batch/v1 Job per launch, through @kubernetes/client-node. The Job never
 * retries by itself (backoffLimit 0): the watching activity relaunches a failed run from its last
 * checkpoint, counting the launches, so the restart budget is one number in one place.
 */

const label = (v: string) =>
  v
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '') || 'x';

/** Run folder in the pod: `<checkpointRoot>/<runId>`, the same for every launch so resume finds the checkpoints. */
export function podRunDir(cfg: KubernetesLauncherConfig, runId: string): string {
  return `${cfg.checkpointRoot.replace(/\/+$/, '')}/${label(runId)}`;
}

/** The Job manifest of one launch (pure: built from config and the launch spec). */
export function buildJobManifest(cfg: KubernetesLauncherConfig, spec: LaunchSpec): Record<string, unknown> {
  const gpus = cfg.resources.gpus;
  const labels = {
    'app.kubernetes.io/name': 'sprint-trainer',
    'app.kubernetes.io/managed-by': 'sprint',
    'sprint/run': label(spec.runId),
    'sprint/launch': String(spec.launch),
    ...cfg.labels,
  };
  const dataset = mapPath(cfg.pathMap, spec.datasetDir) ?? spec.datasetDir;
  const command =
    gpus > 1
      ? ['torchrun', '--standalone', `--nproc-per-node=${gpus}`, TRAINER_IN_IMAGE]
      : ['python', TRAINER_IN_IMAGE];
  const limits: Record<string, string> = { cpu: cfg.resources.cpu, memory: cfg.resources.memory };
  if (gpus > 0) limits[cfg.resources.gpuResource] = String(gpus);
  const env = [
    { name: 'PYTHONUNBUFFERED', value: '1' },
    { name: 'TOKENIZERS_PARALLELISM', value: 'false' },
    ...Object.entries(cfg.env).map(([name, value]) => ({ name, value })),
    // The Hub token reaches the pod from a Secret, never through Temporal or the Job spec.
    {
      name: 'HF_TOKEN',
      valueFrom: {
        secretKeyRef: { name: cfg.hubTokenSecret.name, key: cfg.hubTokenSecret.key, optional: true },
      },
    },
  ];
  const volumes: Record<string, unknown>[] = cfg.volumes.map((v) => ({
    name: v.name,
    ...(v.persistentVolumeClaim
      ? { persistentVolumeClaim: { claimName: v.persistentVolumeClaim, readOnly: v.readOnly } }
      : {}),
    ...(v.hostPath ? { hostPath: { path: v.hostPath, type: 'DirectoryOrCreate' } } : {}),
    ...(v.emptyDir ? { emptyDir: {} } : {}),
  }));
  volumes.push({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: cfg.resources.shmSize } });
  const volumeMounts = [
    ...cfg.volumes.map((v) => ({ name: v.name, mountPath: v.mountPath, readOnly: v.readOnly })),
    { name: 'dshm', mountPath: '/dev/shm' },
  ];
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: spec.name, namespace: cfg.namespace, labels },
    spec: {
      backoffLimit: 0,
      ttlSecondsAfterFinished: cfg.ttlSecondsAfterFinished,
      ...(cfg.activeDeadlineSeconds ? { activeDeadlineSeconds: cfg.activeDeadlineSeconds } : {}),
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          ...(cfg.serviceAccountName ? { serviceAccountName: cfg.serviceAccountName } : {}),
          ...(cfg.priorityClassName ? { priorityClassName: cfg.priorityClassName } : {}),
          nodeSelector: cfg.nodeSelector,
          tolerations: cfg.tolerations,
          containers: [
            {
              name: 'trainer',
              image: cfg.image,
              imagePullPolicy: cfg.imagePullPolicy,
              command,
              args: ['--dataset', dataset, '--output-dir', podRunDir(cfg, spec.runId), ...spec.trainerArgs],
              env,
              resources: { limits, requests: { ...limits } },
              volumeMounts,
            },
          ],
          volumes,
        },
      },
    },
  };
}

/** The parts of the Kubernetes API the launcher uses (the real client, or a test double of the API server). */
export interface KubeApis {
  createJob(namespace: string, body: Record<string, unknown>): Promise<void>;
  /** undefined when the Job does not exist. */
  readJob(namespace: string, name: string): Promise<{ status?: KubeJobStatus } | undefined>;
  deleteJob(namespace: string, name: string): Promise<void>;
  /** Pod names of a Job, newest first. */
  jobPods(namespace: string, job: string): Promise<string[]>;
  podLog(
    namespace: string,
    pod: string,
    opts: { timestamps?: boolean; sinceSeconds?: number; tailLines?: number },
  ): Promise<string>;
}

export interface KubeJobStatus {
  active?: number;
  succeeded?: number;
  failed?: number;
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
}

const isNotFound = (err: unknown) => (err as { code?: number }).code === 404;
const isConflict = (err: unknown) => (err as { code?: number }).code === 409;

type KubeClientModule = typeof import('@kubernetes/client-node');

/**
 * @kubernetes/client-node 1.x is an ES module. Node 20.19+ loads it with require(); the native
 * require (not a test runner's module registry) is used.
 */
async function loadKubernetesClient(): Promise<KubeClientModule> {
  try {
    // process.getBuiltinModule reaches Node's own loader even inside a test runner's sandbox.
    const nodeModule = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule?.(
      'node:module',
    ) as typeof import('node:module') | undefined;
    return (nodeModule?.createRequire ?? createRequire)(__filename)(
      '@kubernetes/client-node',
    ) as KubeClientModule;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_REQUIRE_ESM') throw err;
    throw new Error(`the kubernetes launcher needs Node.js 20.19 or newer (running ${process.version})`);
  }
}

/** KubeApis on @kubernetes/client-node (kubeconfig file, in-cluster account, or ~/.kube/config). */
export async function kubeApis(cfg: KubernetesLauncherConfig): Promise<KubeApis> {
  const k8s = await loadKubernetesClient();
  const kc = new k8s.KubeConfig();
  if (cfg.kubeconfig) kc.loadFromFile(cfg.kubeconfig);
  else kc.loadFromDefault();
  if (cfg.context) kc.setCurrentContext(cfg.context);
  const batch = kc.makeApiClient(k8s.BatchV1Api);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  return {
    async createJob(namespace, body) {
      await batch.createNamespacedJob({ namespace, body });
    },
    async readJob(namespace, name) {
      try {
        const job = await batch.readNamespacedJob({ namespace, name });
        return { status: job.status };
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async deleteJob(namespace, name) {
      try {
        await batch.deleteNamespacedJob({ namespace, name, propagationPolicy: 'Background' });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    },
    async jobPods(namespace, job) {
      const list = await core.listNamespacedPod({ namespace, labelSelector: `job-name=${job}` });
      return list.items
        .sort((a, b) =>
          String(b.metadata?.creationTimestamp ?? '').localeCompare(
            String(a.metadata?.creationTimestamp ?? ''),
          ),
        )
        .map((p) => p.metadata?.name ?? '')
        .filter(Boolean);
    },
    async podLog(namespace, pod, opts) {
      return core.readNamespacedPodLog({ namespace, name: pod, container: 'trainer', ...opts });
    },
  };
}

export class KubernetesLauncher implements Launcher {
  readonly kind = 'kubernetes' as const;
  private apis?: Promise<KubeApis>;

  constructor(
    private readonly cfg: KubernetesLauncherConfig,
    apis?: KubeApis,
  ) {
    if (apis) this.apis = Promise.resolve(apis);
  }

  private api(): Promise<KubeApis> {
    this.apis ??= kubeApis(this.cfg);
    return this.apis;
  }

  async launch(spec: LaunchSpec): Promise<JobHandle> {
    const api = await this.api();
    const ns = this.cfg.namespace;
    try {
      await api.createJob(ns, buildJobManifest(this.cfg, spec));
    } catch (err) {
      if (!isConflict(err)) throw err; // 409: created by an earlier attempt; reattach to it
    }
    return {
      launcher: 'kubernetes',
      name: spec.name,
      launch: spec.launch,
      runDir: podRunDir(this.cfg, spec.runId),
      namespace: ns,
    };
  }

  async status(handle: JobHandle): Promise<JobStatus> {
    const api = await this.api();
    const job = await api.readJob(handle.namespace ?? this.cfg.namespace, handle.name);
    if (!job) return { phase: 'missing', message: `Job ${handle.name} not found` };
    const s = job.status ?? {};
    const failed = s.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
    if ((s.succeeded ?? 0) > 0) return { phase: 'succeeded', exitCode: 0 };
    if (failed || (s.failed ?? 0) > 0) {
      return {
        phase: 'failed',
        message: `Job ${handle.name} failed${failed ? `: ${failed.reason ?? ''} ${failed.message ?? ''}`.trimEnd() : ''}`,
      };
    }
    return { phase: (s.active ?? 0) > 0 ? 'running' : 'pending' };
  }

  reader(handle: JobHandle): LineReader {
    const lines = new TimestampedLines();
    const ns = handle.namespace ?? this.cfg.namespace;
    return {
      read: async () => {
        const api = await this.api();
        const [pod] = await api.jobPods(ns, handle.name);
        if (!pod) return [];
        let text: string;
        try {
          const since = lines.sinceSeconds();
          text = await api.podLog(ns, pod, {
            timestamps: true,
            ...(since > 0 ? { sinceSeconds: Math.max(1, Math.ceil(Date.now() / 1000) - since) } : {}),
          });
        } catch (err) {
          const code = (err as { code?: number }).code;
          if (code === 400 || code === 404) return []; // container not started yet / pod gone
          throw err;
        }
        return lines.accept(text);
      },
    };
  }

  async logTail(handle: JobHandle, n: number): Promise<string> {
    const api = await this.api();
    const ns = handle.namespace ?? this.cfg.namespace;
    const [pod] = await api.jobPods(ns, handle.name);
    if (!pod) return '';
    try {
      return (await api.podLog(ns, pod, { tailLines: n })).trim();
    } catch {
      return '';
    }
  }

  async stop(handle: JobHandle): Promise<void> {
    const api = await this.api();
    await api.deleteJob(handle.namespace ?? this.cfg.namespace, handle.name);
  }

  /** Local path of a pod path (through pathMap), or the pod path itself. */
  toLocal(p: string): string {
    return mapPath(this.cfg.pathMap, p, 'out') ?? p;
  }
}
