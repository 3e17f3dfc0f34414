// Types for scripts/ensure-build.mjs (the tests import it).
export declare const SOURCES: readonly string[];
export declare function buildIsFresh(dir?: string): boolean;
export declare function ensureBuild(): void;
