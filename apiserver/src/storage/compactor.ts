// Periodic compaction of storage history, as upstream's compactor: at each tick, compact up to the revision
// seen at the previous tick, so that at least one interval of history stays available for watches and lists.
import type { Storage } from './interface.ts';

export interface Compactor {
  stop(): void;
}

export function startCompactor(
  storage: Storage,
  intervalMs = 5 * 60_000,
  onError: (err: unknown) => void = () => { /* retried at the next tick */ },
): Compactor {
  let previous = 0;
  let compactedTo = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const tick = async () => {
    try {
      const current = await storage.currentRevision();
      if (previous > compactedTo) {
        await storage.compact(previous);
        compactedTo = previous;
      }
      previous = current;
    } catch (err) {
      onError(err);
    }
    if (!stopped) schedule();
  };
  const schedule = () => {
    timer = setTimeout(() => void tick(), intervalMs);
    timer.unref();
  };
  schedule();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
