// Cast redirected into one tap per test file: emptied and installed before each test, the previous
// sink put back after it. Call it at the top level of a test file, where vitest takes its hooks.
import { afterEach, beforeEach } from 'vitest';
import { redirect, tapSink, type TapSink } from '../../runtime/cast/index.js';

export function castTapPerTest(): TapSink {
  const tap = tapSink();
  let restore: (() => void) | undefined;
  beforeEach(() => {
    tap.clear();
    restore = redirect(tap);
  });
  afterEach(() => restore?.());
  return tap;
}
