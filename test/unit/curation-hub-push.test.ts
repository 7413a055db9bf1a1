import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gitBlobId, pushDataset } from '../../io/curation/hub-push';
import { HubStandIn } from '../helpers/hub-standin';

function datasetDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ds-'));
  fs.mkdirSync(path.join(dir, 'sprint'));
  fs.writeFileSync(path.join(dir, 'sprint', 'train.jsonl'), '{"id":"a","prompt":"p","completion":"c"}\n');
  fs.writeFileSync(path.join(dir, 'stats.json'), '{"kept":1}');
  fs.writeFileSync(path.join(dir, 'report.md'), '# Curation report\n\nkept 1\n');
  return dir;
}

describe('dataset push', () => {
  let hub: HubStandIn;
  beforeAll(async () => {
    hub = await new HubStandIn().start();
  });
  afterAll(() => hub.stop());

  it('matches git blob ids', () => {
    // `printf 'hello\n' | git hash-object --stdin`
    expect(gitBlobId(Buffer.from('hello\n'))).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
  });

  it('creates a private dataset repo, uploads the folder with a card, and a re-run commits nothing', async () => {
    const dir = datasetDir();
    const opts = {
      datasetDir: dir,
      repo: 'me/sprint-data',
      private: true,
      hubUrl: hub.url,
      token: 'hf_x',
      localMirror: '/nonexistent',
    };
    const first = await pushDataset(opts);
    expect(first.target).toBe('hub');
    expect(first.uploaded).toEqual(['README.md', 'report.md', 'sprint/train.jsonl', 'stats.json']);
    expect(hub.created).toEqual([{ repo: 'me/sprint-data', private: true }]);
    expect(hub.commits).toHaveLength(1);
    const card = hub.files('me/sprint-data')!.get('README.md')!.toString();
    expect(card).toMatch(/config_name: sprint[\s\S]*path: sprint\/train.jsonl/);
    expect(card).toContain('kept 1');
    expect(hub.files('me/sprint-data')!.get('sprint/train.jsonl')!.toString()).toContain('"id":"a"');

    const again = await pushDataset(opts);
    expect(again.uploaded).toEqual([]);
    expect(hub.commits).toHaveLength(1);

    fs.writeFileSync(path.join(dir, 'stats.json'), '{"kept":2}');
    const third = await pushDataset(opts);
    expect(third.uploaded).toEqual(['stats.json']);
    expect(hub.commits).toHaveLength(2);
  });

  it('mirrors to a local folder without a token', async () => {
    const dir = datasetDir();
    const mirror = fs.mkdtempSync(path.join(os.tmpdir(), 'mirror-'));
    const r = await pushDataset({
      datasetDir: dir,
      repo: 'me/local',
      private: true,
      hubUrl: hub.url,
      localMirror: mirror,
    });
    expect(r.target).toBe('local');
    expect(
      fs.readFileSync(path.join(mirror, 'datasets', 'me', 'local', 'sprint', 'train.jsonl'), 'utf8'),
    ).toContain('"id":"a"');
    expect(
      (
        await pushDataset({
          datasetDir: dir,
          repo: 'me/local',
          private: true,
          hubUrl: hub.url,
          localMirror: mirror,
        })
      ).uploaded,
    ).toEqual([]);
  });
});
