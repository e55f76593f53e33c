/**
 * How much memory the gateway's heaps may hold on to, in one place: npm start, the systemd unit and
 * the bench start serve with these (a test checks that they say the same), and every worker thread
 * is made with THREAD_RESOURCE_LIMITS.
 *
 * V8 lets the young generation grow to 16 MiB per semi-space (about 48 MiB of the main thread's
 * heap in all, touched once and kept); a gateway's garbage is small and short-lived (a request, a
 * job, a log line), so 2 MiB semi-spaces scavenge it as cheaply (measured: idle RSS 112 → 101 MB,
 * after 4,000 receipts 182 → 166 MB, CPU per job unchanged within noise). The flag only works on
 * the command line: V8 sizes its heap before any code runs.
 */
export const SERVE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];

/**
 * glibc gives every thread that allocates a malloc arena of its own (up to eight per core) and
 * seldom returns their pages; two arenas are plenty for one event loop and a few helper threads.
 * The systemd unit sets it (an environment variable: it must be there before node starts).
 */
export const SERVE_ENVIRONMENT: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };

/** A worker thread's young generation: the same 2 MiB semi-spaces (V8's young generation is three of them). */
export const THREAD_RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 6 } as const;
