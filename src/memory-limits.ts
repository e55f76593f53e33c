/**
 * How much memory the gateway's heaps may hold on to, in one place: npm start, the systemd unit and
 * the bench start serve with these (a test checks that they say the same, and that this node
 * accepts them), and every worker thread is made with THREAD_RESOURCE_LIMITS.
 *
 * - `--max-semi-space-size=2`: V8 lets the young generation grow to 16 MiB per semi-space (about
 *   48 MiB of the main thread's heap, touched once and kept); a gateway's garbage is small and
 *   short-lived (a request, a job, a log line), so 2 MiB semi-spaces scavenge it as cheaply.
 * - `--heap-growing-percent=50`: after a major GC the old generation may grow by half before the
 *   next, not by V8's usual factor of up to four; a burst of jobs then leaves a heap sized for what
 *   it holds, not for what it allocated.
 *
 * Measured (2 AMD EPYC cores, 6,000 escpos receipts at 10 in flight, three runs each, serve's RSS,
 * with MALLOC_ARENA_MAX below): idle 101–105 → 87–88 MB, 1 s after the burst 183–185 → 122–124 MB;
 * CPU per job 1.16–1.30 → 1.28–1.34 ms (start-up included). Four interleaved full engine benches
 * found jobs/s vs CUPS with one printer 5–15 % lower with the flags (README, Performance): the price
 * of the two memory targets. `--max-semi-space-size=4`, measured (two interleaved pairs of `npm run bench -- engine memory`,
 * 2026-12-03): RSS idle 76.4 → 83.4 MB (over the 80 MB target) and after 10,000 jobs 129 → 136 MB, jobs/s
 * and p99 within the runs' spread: not worth it. The flags only work on the command line: V8 sizes its
 * heap before any code runs (v8.setFlagsFromString is too late).
 */
export const SERVE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2', '--heap-growing-percent=50'];

/**
 * glibc gives every thread that allocates a malloc arena of its own (up to eight per core) and
 * seldom returns their pages; two arenas are plenty for one event loop and a few helper threads.
 * The systemd unit sets it (an environment variable: it must be there before node starts).
 */
export const SERVE_ENVIRONMENT: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };

/** A worker thread's young generation: the same 2 MiB semi-spaces (V8's young generation is three of them). */
export const THREAD_RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 6 } as const;
