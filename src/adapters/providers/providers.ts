import type { ProviderConfig } from '../../core/config/config-schema.js';
import { CommandRestorePoints } from './command-provider.js';
import { LabRestorePoints } from './lab-provider.js';
import { RaffClient } from './raff/raff-client.js';
import { RAFF_DEFAULT_URL, resolveRaffKey } from './raff/raff-discovery.js';
import { RaffRestorePoints } from './raff/raff-restore-points.js';
import type { RestorePointProvider } from './restore-point.js';

/**
 * The restore point provider for the `providers:` entry `name`: lab, the user's commands, or Raff (its
 * key from apiKeyEnv / apiKeyFile / $RAFF_API_KEY, as discovery reads it; never logged).
 */
export function restorePointProviderFor(
  name: string,
  config: ProviderConfig,
  env: NodeJS.ProcessEnv,
): RestorePointProvider {
  switch (config.kind) {
    case 'lab':
      return new LabRestorePoints(config);
    case 'command':
      return new CommandRestorePoints(config, env);
    case 'raff': {
      const { apiKey } = resolveRaffKey(config, env);
      const client = new RaffClient({
        baseUrl: config.baseUrl ?? env.RAFF_API_URL ?? RAFF_DEFAULT_URL,
        apiKey,
        projectId: config.projectId,
      });
      return new RaffRestorePoints(client, config.projectId, {
        snapshotTimeoutMs: (config.snapshotTimeoutSeconds ?? 1200) * 1000,
        powerTimeoutMs: (config.powerTimeoutSeconds ?? 600) * 1000,
      });
    }
    default:
      throw new Error(`provider ${name}: unknown kind ${(config as { kind: string }).kind}`);
  }
}
