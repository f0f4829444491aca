/**
 * The few mocha globals the tests use. @web/test-runner runs the test files
 * with mocha and provides these globals; the declarations only serve tsc.
 */
interface MochaContext {
  /** Sets this test's (or suite's) time limit in milliseconds. */
  timeout(ms: number): void;
}

type MochaTest = (this: MochaContext) => void | Promise<void>;

declare function describe(title: string, body: (this: MochaContext) => void): void;
declare function it(title: string, test: MochaTest): void;
declare function before(hook: MochaTest): void;
declare function after(hook: MochaTest): void;
declare function beforeEach(hook: MochaTest): void;
declare function afterEach(hook: MochaTest): void;
