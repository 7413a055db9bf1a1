import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pushDataset } from '../../io/curation/hub-push';
import { HubDouble } from '../helpers/hub-double';

/** A curated dataset folder; `trainRecords` sizes sprint/train.jsonl (one ~60-byte record each). */
function datasetDir(trainRecords = 1): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ds-'));
  fs.mkdirSync(path.join(dir, 'sprint'));
  const records = Array.from({ length: trainRecords }, (_, i) =>
    JSON.stringify({ id: i === 0 ? 'a' : `r${i}`, prompt: 'p', completion: `c${i}` }),
  );
  fs.writeFileSync(path.join(dir, 'sprint', 'train.jsonl'), `${records.join('\n')}\n`);
  fs.writeFileSync(path.join(dir, 'stats.json'), '{"kept":1}');
  fs.writeFileSync(path.join(dir, 'report.md'), '# Curation report\n\nkept 1\n');
  return dir;
}

/** Requests that write to the Hub (create, preupload, LFS batch or upload, commit). */
const writes = (hub: HubDouble, from: number) =>
  hub.requests
    .slice(from)
    .filter((r) => r.method !== 'GET')
    .map((r) => `${r.method} ${r.path}`);

describe('dataset push (loopback Hub double)', () => {
  let hub: HubDouble;
  beforeAll(async () => {
    hub = await new HubDouble('hf_push', { lfsThreshold: 2048 }).start();
  });
  afterAll(() => hub.stop());

  const optsFor = (dir: string, repo: string) => ({
    datasetDir: dir,
    repo,
    private: true,
    hubUrl: hub.baseUrl,
    token: hub.token,
    localMirror: '/nonexistent',
  });

  it('creates a private dataset repo, uploads the folder with a card, and a re-run commits nothing', async () => {
    const opts = optsFor(datasetDir(), 'me/sprint-data');
    const first = await pushDataset(opts);
    expect(first.target).toBe('hub');
    expect(first.location).toBe(`${hub.baseUrl}/datasets/me/sprint-data`);
    expect(first.uploaded).toEqual(['README.md', 'report.md', 'sprint/train.jsonl', 'stats.json']);
    const repo = hub.repo('me/sprint-data', 'dataset')!;
    expect(repo.visibility).toBe('private');
    expect(hub.repo('me/sprint-data', 'model')).toBeUndefined();
    expect(repo.commits).toHaveLength(1);
    const card = repo.files.get('README.md')!.content.toString();
    expect(card).toMatch(/config_name: sprint[\s\S]*path: sprint\/train.jsonl/);
    expect(card).toContain('kept 1');
    expect(repo.files.get('sprint/train.jsonl')!.content.toString()).toContain('"id":"a"');

    const again = await pushDataset(opts);
    expect(again.uploaded).toEqual([]);
    expect(repo.commits).toHaveLength(1);

    fs.writeFileSync(path.join(opts.datasetDir, 'stats.json'), '{"kept":2}');
    const third = await pushDataset(opts);
    expect(third.uploaded).toEqual(['stats.json']);
    expect(repo.commits).toHaveLength(2);
  });

  it('re-pushes an unchanged dataset whose files the Hub stores in LFS without a commit', async () => {
    const opts = optsFor(datasetDir(200), 'me/sprint-lfs');
    expect(fs.statSync(path.join(opts.datasetDir, 'sprint', 'train.jsonl')).size).toBeGreaterThan(
      hub.lfsThreshold,
    );
    await pushDataset(opts);
    const repo = hub.repo('me/sprint-lfs', 'dataset')!;
    // The precondition of this test: the Hub lists the file with an LFS sha256, not its blob id.
    expect(repo.files.get('sprint/train.jsonl')!.lfs).toBe(true);
    expect(repo.files.get('stats.json')!.lfs).toBe(false);
    expect(repo.commits).toHaveLength(1);

    const before = hub.requests.length;
    const again = await pushDataset(opts);
    expect(again).toMatchObject({
      uploaded: [],
      unchanged: ['README.md', 'report.md', 'sprint/train.jsonl', 'stats.json'],
    });
    expect(again.commit).toBeUndefined();
    expect(repo.commits).toHaveLength(1);
    expect(writes(hub, before)).toEqual([]);
  });

  it('re-pushes a dataset with one changed LFS file as exactly one commit of that file', async () => {
    const opts = optsFor(datasetDir(200), 'me/sprint-lfs-change');
    await pushDataset(opts);
    const repo = hub.repo('me/sprint-lfs-change', 'dataset')!;
    const train = path.join(opts.datasetDir, 'sprint', 'train.jsonl');
    fs.appendFileSync(train, '{"id":"late","prompt":"p","completion":"c"}\n');

    const second = await pushDataset(opts);
    expect(second.uploaded).toEqual(['sprint/train.jsonl']);
    expect(second.commit).toBe(repo.commits[1]!.oid);
    expect(repo.commits).toHaveLength(2);
    expect(repo.commits[1]!.paths).toEqual(['sprint/train.jsonl']);
    expect(repo.files.get('sprint/train.jsonl')).toMatchObject({ lfs: true });
    expect(repo.files.get('sprint/train.jsonl')!.content.equals(fs.readFileSync(train))).toBe(true);
  });

  it('reports a refused token and a token without write access', async () => {
    const dir = datasetDir();
    await expect(pushDataset({ ...optsFor(dir, 'me/refused'), token: 'hf_wrong' })).rejects.toThrow(
      /Invalid credentials/,
    );
    await expect(pushDataset({ ...optsFor(dir, 'me/refused'), token: hub.readToken })).rejects.toThrow(
      /no write access/,
    );
    expect(hub.repo('me/refused', 'dataset')).toBeUndefined();
  });

  it('mirrors to a local folder without a token, and a re-run writes nothing', async () => {
    const dir = datasetDir();
    const mirror = fs.mkdtempSync(path.join(os.tmpdir(), 'mirror-'));
    const local = {
      datasetDir: dir,
      repo: 'me/local',
      private: true,
      hubUrl: hub.baseUrl,
      localMirror: mirror,
    };
    const r = await pushDataset(local);
    expect(r.target).toBe('local');
    expect(
      fs.readFileSync(path.join(mirror, 'datasets', 'me', 'local', 'sprint', 'train.jsonl'), 'utf8'),
    ).toContain('"id":"a"');
    const again = await pushDataset(local);
    expect(again.uploaded).toEqual([]);
    expect(again.unchanged).toEqual(['README.md', 'report.md', 'sprint/train.jsonl', 'stats.json']);
  });
});
