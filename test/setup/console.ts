// Any console.error during a test fails it: an error printed and ignored is a bug hidden.
import { afterEach, beforeEach, expect } from 'vitest';

let errors: unknown[][] = [];
const original = console.error;

beforeEach(async () => {
  // One macrotask turn between tests: a file of many CPU-bound tests, chained by promises only,
  // would otherwise never let the worker's event loop (and vitest's messages) run.
  await new Promise<void>((resolve) => setImmediate(resolve));
  errors = [];
  console.error = (...args: unknown[]) => {
    errors.push(args);
    original(...args);
  };
});

afterEach(() => {
  console.error = original;
  if (errors.length > 0) {
    const first = errors[0].map((a) => (a instanceof Error ? a.stack : String(a))).join(' ');
    throw new Error(`console.error was called ${errors.length} time(s) during the test: ${first}`);
  }
});

// A test that blocks its worker's event loop for a long time (synchronous work or a long
// spawnSync) starves vitest's own messages to the main process, which time out after 60 s and
// fail the run with "[vitest-worker]: Timeout calling onTaskUpdate" that names no test. Say which
// test did it, so it can be made asynchronous.
let lastTick = Date.now();
setInterval(() => {
  const t = Date.now();
  if (t - lastTick > 20_000) {
    process.stderr.write(`[event-loop] blocked for ${Math.round((t - lastTick) / 1000)} s during: ${expect.getState().currentTestName ?? expect.getState().testPath ?? 'collection'}\n`);
  }
  lastTick = t;
}, 1000).unref();
