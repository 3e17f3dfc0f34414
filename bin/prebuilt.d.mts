export function freshBuild(root: string, env?: Record<string, string | undefined>): string | undefined;
