import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { isMainThread } from 'node:worker_threads';

/**
 * Loaded into serve with `node --import …/heap-sampler.js` by the profile bench's `heap` scenario:
 * the first SIGUSR2 starts V8's sampling heap profiler on the main thread — every sampled
 * allocation counted, also those already collected (garbage is what costs a gateway time) — and
 * the second writes the profile to HEAP_SAMPLER_FILE. Nothing runs until the first signal.
 */
if (isMainThread && process.env.HEAP_SAMPLER_FILE) {
  const file = process.env.HEAP_SAMPLER_FILE;
  const session = new Session();
  session.connect();
  let sampling = false;
  process.on('SIGUSR2', () => {
    if (!sampling) {
      sampling = true;
      session.post('HeapProfiler.enable', () =>
        session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true }),
      );
      return;
    }
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (!error) writeFileSync(file, JSON.stringify(result.profile));
    });
  });
}
