import { defineConfig } from 'vitest/config';
import os from 'node:os';
import path from 'node:path';

export default defineConfig({
  resolve: { alias: { '@': import.meta.dirname } },
  test: {
    include: ['lib/**/*.test.ts', 'cli/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: run files one after another so the ONNX sessions do not fight over them.
    fileParallelism: false,
    pool: 'forks',
    // A test that sets no data dir never writes into the developer's ./data (for example the
    // remembered model check of lib/clip/check-cache.ts, which is only written where the dir exists).
    env: { CLIPDEX_DATA_DIR: path.join(os.tmpdir(), `clipdex-vitest-no-data-dir-${process.pid}`) },
  },
});
