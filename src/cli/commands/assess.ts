import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** Registers `patchwise assess`. */
export function register(_program: Command, _ctx: CliContext): void {}
