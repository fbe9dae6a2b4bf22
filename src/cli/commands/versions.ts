import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** Registers `patchwise versions`. */
export function register(_program: Command, _ctx: CliContext): void {}
