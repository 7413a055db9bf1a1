import integrationSetup from '../helpers/global-setup';
import { ensureDockerEngine, ensureTrainerImage } from './docker-engine';

/** The integration setup (Temporal CLI, workflow bundle), then a Docker engine and the trainer image. */
export default async function globalSetup(): Promise<void> {
  await integrationSetup();
  await ensureDockerEngine();
  ensureTrainerImage();
}
