/**
 * Playwright e2e: the production build (`next build && next start`, built by
 * scripts/ensure-build.mjs only when stale) served on a test port with its own empty data
 * directory, driven by Debian's Chromium. Screenshots of every page go to e2e/artifacts/.
 */
import os from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

const PORT = Number(process.env.E2E_PORT ?? 3217);
export const E2E_DATA_DIR = process.env.E2E_DATA_DIR ?? path.join(os.tmpdir(), 'clipdex-e2e-data');
/** A second server with CLIPDEX_ADMIN_TOKEN set, for the access tests (e2e/auth.spec.ts). */
export const AUTH_PORT = PORT + 1;
export const AUTH_TOKEN = 'e2e-admin-token-0123456789';

const serverEnv = {
  NEXT_TELEMETRY_DISABLED: '1',
  CLIPDEX_SKIP_DEMO: '1',
  // Small enough that the "too large" case needs only a small file.
  CLIPDEX_MAX_UPLOAD_BYTES: String(64 * 1024 * 1024),
};

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'e2e/artifacts/test-results',
  // The specs share one server and one database and build on each other (upload, then search).
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 180_000,
  expect: { timeout: 20_000 },
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'e2e/artifacts/report' }]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    viewport: { width: 1280, height: 900 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: [
    {
      command: 'node e2e/serve.mjs',
      url: `http://127.0.0.1:${PORT}/api/health`,
      // A cold `next build` on two busy cores takes minutes.
      timeout: 15 * 60_000,
      reuseExistingServer: false,
      stdout: 'pipe',
      stderr: 'pipe',
      env: { ...serverEnv, E2E_PORT: String(PORT), E2E_DATA_DIR },
    },
    {
      // Waits for the first one to build the app (e2e/serve.mjs).
      command: 'node e2e/serve.mjs',
      url: `http://127.0.0.1:${AUTH_PORT}/api/health`,
      timeout: 15 * 60_000,
      reuseExistingServer: false,
      stdout: 'pipe',
      stderr: 'pipe',
      env: { ...serverEnv, E2E_PORT: String(AUTH_PORT), E2E_DATA_DIR: `${E2E_DATA_DIR}-auth`, CLIPDEX_ADMIN_TOKEN: AUTH_TOKEN, E2E_WAIT_FOR_BUILD: '1' },
    },
  ],
});
