import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { OperationalError } from '../src/core/errors.js';
import { say } from './run-command.js';

/**
 * Runs `fn` while holding an exclusive flock(2) on `file`, so that several processes (parallel `up`
 * calls, test files) do not build the same cache entry twice. The lock is held by a `flock FILE cat`
 * child: `cat` echoes a byte once flock has the lock, and ends (releasing it) when its stdin closes,
 * which also happens when this process dies, so a crash never leaves the lock taken.
 */
export async function withFileLock<T>(file: string, what: string, fn: () => Promise<T>): Promise<T> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const child = spawn('flock', ['--exclusive', file, 'cat'], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.on('error', () => undefined); // flock failed and closed the pipe: reported below
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const waiting = setTimeout(() => say(`waiting for ${what} (another lab process holds ${file})`), 2000);
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve());
      child.once('error', (e) => reject(new OperationalError('lab-lock', `Cannot run flock: ${e.message}`)));
      child.once('close', (code) =>
        reject(new OperationalError('lab-lock', `flock ${file} exited ${code} before taking the lock.`)),
      );
      child.stdin.write('\n');
    });
  } finally {
    clearTimeout(waiting);
  }
  try {
    return await fn();
  } finally {
    child.stdin.end();
    await exited;
  }
}
