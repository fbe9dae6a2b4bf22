/**
 * A run controller in its own process over the fake fleet, for the crash test: argv is the data
 * directory, the fake fleet's directory and the run id. Each step waits up to
 * $PATCHWISE_TEST_STEP_DELAY_MS after it is recorded `running`, so a SIGKILL lands inside steps too.
 */
import { openStore } from '../../src/adapters/store/open-store.js';
import { RunStore } from '../../src/adapters/store/run-store.js';
import { runController } from '../../src/app/rollout/run-controller.js';
import { FakeFleet } from './fake-fleet.js';
import { fakeDeps } from './fake-run.js';

const [dataDir, fleetDir, runId] = process.argv.slice(2) as [string, string, string];
const delay = Number(process.env.PATCHWISE_TEST_STEP_DELAY_MS ?? '0');
const store = await openStore(dataDir);
const run = (await new RunStore(store.db).get(runId))!;
const deps = fakeDeps(store, new FakeFleet(fleetDir), run.spec);
deps.beforeStep = () => new Promise((r) => setTimeout(r, Math.random() * delay));
const summary = await runController(runId, deps);
process.stdout.write(JSON.stringify(summary) + '\n');
await store.close();
