// Types for scripts/paths.mjs (prisma.config.ts and the tests import it).
export declare const root: string;
export declare const clipdexBin: string;
export declare const nextBin: string;
export declare const prismaBin: string;
export declare function dataDirOf(env?: NodeJS.ProcessEnv): string;
