import type { Migration } from 'kysely';
import * as m0001 from './0001-initial.js';

/**
 * Every migration, in order. Add a new file `NNNN-what.ts` and one line here; never edit a migration
 * that has shipped.
 */
export const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': m0001,
};
