// Types for scripts/first-run-demo.mjs (test/integration/start-demo.test.ts imports it).
import type { StdioOptions } from 'node:child_process';
export declare function ingestDemoOnce(env?: NodeJS.ProcessEnv, stdio?: StdioOptions): 'skipped' | 'done' | 'failed';
