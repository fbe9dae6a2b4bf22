import type { Reporter, TestCase, TestModule, TestSuite, Vitest } from 'vitest/node';

/**
 * Fails the run when a test was skipped or left as a todo: a skipped suite passes silently, so a green
 * run would prove less than it says. Tests skipped because a hook around them failed are not counted
 * (that failure already fails the run, with its own message), nor are those `-t` leaves out on purpose.
 */
export default class FailOnSkipReporter implements Reporter {
  private filtered = false;

  onInit(vitest: Vitest): void {
    this.filtered = vitest.config.testNamePattern !== undefined;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    if (this.filtered) return;
    const skipped = testModules
      .flatMap((m) => [...m.children.allTests()])
      .filter((t) => t.result().state === 'skipped' && !insideFailure(t));
    if (skipped.length === 0) return;
    process.exitCode = 1;
    const where = (t: TestCase) => `  ${t.module.relativeModuleId}  ${t.fullName}`;
    console.error(
      [
        `\n${skipped.length} test(s) skipped or todo; tests here fail instead of skipping (use requirePrerequisite from test/helpers):`,
        ...skipped.map(where),
      ].join('\n'),
    );
  }
}

/** True when a suite or module around the test has an error (a failed beforeAll skips its tests). */
function insideFailure(test: TestCase): boolean {
  let p: TestSuite | TestModule = test.parent;
  while (p.errors().length === 0) {
    if (p.type === 'module') return false;
    p = p.parent;
  }
  return true;
}
