// The web server's environment for memory (issue 13, target 3). Its HNSW graphs are gigabytes read
// at random (2.3 GB at 1M × 512): with 4 KiB pages a search at that size spends a good part of its
// time on TLB misses. Most Linux distributions set transparent huge pages to "madvise", where only
// memory a program asks for gets 2 MiB pages; glibc's `glibc.malloc.hugetlb=1` tunable makes malloc
// ask for them on its large mappings (hnswlib's graph is one). Measured on a 1M × 512 graph: p99
// of a search −15–20 %, +~2.5 s to load the graph (bench/RESULTS.md "pass 3, session 15").
// glibc reads GLIBC_TUNABLES when a process starts, so `npm start` sets it for the server it starts.
// CLIPDEX_HUGE_PAGES=0 leaves it out; a glibc.malloc.hugetlb the operator set is kept; elsewhere
// than Linux, and with musl, it does nothing.

/** `env` plus the huge-page tunable, where it applies (a new object; `env` is not changed). */
export function withHugePages(env = process.env, platform = process.platform) {
  if (platform !== 'linux' || env.CLIPDEX_HUGE_PAGES === '0') return { ...env };
  const tunables = env.GLIBC_TUNABLES ?? '';
  if (/(^|:)glibc\.malloc\.hugetlb=/.test(tunables)) return { ...env };
  return { ...env, GLIBC_TUNABLES: tunables ? `${tunables}:glibc.malloc.hugetlb=1` : 'glibc.malloc.hugetlb=1' };
}
