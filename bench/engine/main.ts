/*
 * The overhead bench's engine double in a process of its own (started by bench/engine/process.ts):
 * the loopback engine playing the bench's scripted session, driven over the IPC channel.
 */
import { LoopbackModelServer } from '../../test/helpers/loopback-model-server';
import { sprintScript } from '../../test/helpers/sprint-script';
import { overheadScenario } from '../overhead-scenario';
import { recordForBench, type EngineReply, type EngineRequest } from './protocol';

function send(reply: EngineReply): void {
  process.send?.(reply);
}

async function main(): Promise<void> {
  if (!process.send) throw new Error('bench/engine/main.ts runs as a child of the bench (an IPC channel)');
  const engine = await new LoopbackModelServer().start();
  process.on('message', (m: EngineRequest) => {
    if (m.kind === 'scenario') {
      const { executors, scale, rounds, tokenMs } = m.scenario;
      engine.setScript(
        sprintScript(overheadScenario(executors, scale, rounds), { perTokenDelayMs: tokenMs }),
      );
      send({ id: m.id, kind: 'done' });
    } else if (m.kind === 'requests') {
      send({ id: m.id, kind: 'requests', requests: engine.requests.slice(m.from).map(recordForBench) });
    } else {
      send({ id: m.id, kind: 'count', count: engine.requests.length });
    }
  });
  // The bench going away (or closing the channel) ends the engine.
  process.on('disconnect', () => {
    void engine.stop().then(() => process.exit(0));
  });
  send({ kind: 'ready', baseUrl: engine.baseUrl });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
