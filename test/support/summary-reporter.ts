// Ends a run with the plain line `N passed, N failed, N skipped` that CI counts tests by; vitest's
// own summary is for people and its wording changes between versions.
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const count = { passed: 0, failed: 0, skipped: 0 };
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') count.passed += 1;
        else if (state === 'failed') count.failed += 1;
        else count.skipped += 1;
      }
    }
    // A module that failed to load has no tests to count, but must not read as a clean run.
    count.failed += testModules.filter((module) => module.state() === 'failed' && [...module.children.allTests()].length === 0).length;
    // Printed as the process exits so that it is the run's last line, after vitest's own summary.
    process.once('exit', () => process.stdout.write(`${count.passed} passed, ${count.failed} failed, ${count.skipped} skipped\n`));
  }
}
