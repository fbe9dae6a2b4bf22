import type { ProviderConfig } from '../../core/config/config-schema.js';
import { OperationalError } from '../../core/errors.js';
import type { RestorePointProvider } from './restore-point.js';

/**
 * The restore point provider a `providers:` entry configures. Placeholder in this branch: the lab,
 * command and Raff providers replace it at merge.
 */
export function restorePointProviderFor(
  name: string,
  config: ProviderConfig,
  env: NodeJS.ProcessEnv,
): RestorePointProvider {
  void env;
  throw new OperationalError(
    'not-implemented',
    `Restore points through ${name} (${config.kind}) are not implemented in this build.`,
  );
}
