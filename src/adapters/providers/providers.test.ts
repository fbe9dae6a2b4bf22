import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommandRestorePoints } from './command-provider.js';
import { LabRestorePoints } from './lab-provider.js';
import { restorePointProviderFor } from './providers.js';
import { RaffRestorePoints } from './raff/raff-restore-points.js';

const PROJECT = '3f1c2b7a-9d0e-4c1b-8a2f-1234567890ab';

describe('restorePointProviderFor', () => {
  it('builds each kind from its entry', () => {
    expect(restorePointProviderFor('lab', { kind: 'lab', stateDir: '/tmp/lab' }, {})).toBeInstanceOf(
      LabRestorePoints,
    );
    expect(restorePointProviderFor('c', { kind: 'command' }, {})).toBeInstanceOf(CommandRestorePoints);
    const p = restorePointProviderFor('raff', { kind: 'raff', projectId: PROJECT }, { RAFF_API_KEY: 'k-1' });
    expect(p).toBeInstanceOf(RaffRestorePoints);
    expect(p.kind).toBe('raff');
  });

  it('reads the Raff key as discovery does: apiKeyFile, and a clear error without one', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pw-key-')), 'raff.key');
    fs.writeFileSync(file, 'k-from-file\n');
    expect(
      restorePointProviderFor('raff', { kind: 'raff', apiKeyFile: file, projectId: PROJECT }, {}),
    ).toBeInstanceOf(RaffRestorePoints);
    expect(() => restorePointProviderFor('raff', { kind: 'raff', projectId: PROJECT }, {})).toThrow(
      /No Raff API key/,
    );
  });
});
