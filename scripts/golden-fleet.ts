/**
 * Regenerates test/fixtures/golden/expected.json.gz: builds the golden fleet (test/helpers/golden-fleet.ts)
 * in a temporary data dir and records today's findings, decisions and host rollups. Run it only when a
 * change in results is intended, and say why in the commit: `npx tsx scripts/golden-fleet.ts`.
 */
import fs from 'node:fs';
import { tempDir } from '../test/helpers/cli.js';
import {
  buildGoldenFleet,
  GOLDEN_EXPECTED,
  goldenResults,
  normalizeResults,
  writeGolden,
} from '../test/helpers/golden-fleet.js';

const started = Date.now();
const fleet = await buildGoldenFleet(tempDir('patchwise-golden-'));
try {
  const record = normalizeResults(await goldenResults(fleet));
  writeGolden(GOLDEN_EXPECTED, record);
  const { hosts, findings, decisions } = record.counts;
  console.log(
    `${GOLDEN_EXPECTED}: ${hosts} hosts, ${findings} findings, ${decisions} decisions, ` +
      `${fs.statSync(GOLDEN_EXPECTED).size} bytes (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
} finally {
  await fleet.store.close();
}
