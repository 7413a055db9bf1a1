import { ApplicationFailure } from '@temporalio/workflow';
import {
  resolveSessionSettings,
  type SessionSettings,
  type SessionSettingsInput,
} from '../../config/schema/session';

/** The session's settings with the profile applied; bad settings fail the workflow (not its task) with the reason. */
export function settingsOf(input: { settings?: SessionSettingsInput | undefined }): SessionSettings {
  try {
    return resolveSessionSettings(input.settings);
  } catch (err) {
    throw ApplicationFailure.nonRetryable(
      `session settings: ${(err as Error).message}`,
      'BadSessionSettings',
    );
  }
}
