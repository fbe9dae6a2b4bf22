import type { HostState, ParseIssue } from '../../core/inventory/host-state.js';
import { APK_INSTALLED_PATH, parseApkInstalled } from '../../core/inventory/parse-apk-installed.js';
import type { Transport } from '../transport/transport.js';

/** Collects an Alpine host: installed packages with their origin (source) from apk's database. */
export async function collectAlpine(
  transport: Transport,
  base: { host: string; os: string; osPrettyName?: string; scannedAt: string; issues: ParseIssue[] },
): Promise<HostState> {
  const text = await transport.readFile(APK_INSTALLED_PATH);
  const pkgs = parseApkInstalled(text, 'apk');
  return { schema: 1, ...base, packages: pkgs.packages, issues: [...base.issues, ...pkgs.issues] };
}
