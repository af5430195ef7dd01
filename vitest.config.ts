import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    // Many tests run the real CLI in a child process: on a loaded CI runner one takes well over vitest's 5 s
    // default. A time limit here only catches a hang; speed is measured by `npm run bench`.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
