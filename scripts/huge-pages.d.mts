// Types for scripts/huge-pages.mjs (the benches and the tests import it).
export declare function withHugePages<E extends Record<string, string | undefined> = NodeJS.ProcessEnv>(env?: E, platform?: string): E & { GLIBC_TUNABLES?: string };
