import os from 'node:os';

/** Who is acting: `$PATCHWISE_ACTOR`, else the login name. */
export function currentActor(env: NodeJS.ProcessEnv | Record<string, string | undefined>): string {
  if (env.PATCHWISE_ACTOR) return env.PATCHWISE_ACTOR;
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}
