// Component loggers: pino with klog-style verbosity (-v). v=0..3 info, v>=4 debug, v>=6 trace.
import { pino } from 'pino';
import type { Logger, DestinationStream, LevelWithSilent } from 'pino';
import { openProcessLogStream } from './log-stream.ts';

export type { Logger };

export interface LoggerOptions {
  component: string;
  /** klog -v value; 0 when unset. */
  verbosity?: number;
  /** Override the level outright ("silent" in tests). */
  level?: LevelWithSilent;
  /** Where to write; stderr by default, as klog does. */
  destination?: DestinationStream;
  /**
   * Also publish every line on the cluster's NATS log stream (default: $K8TS_NATS_URL; "" for none).
   * The subject names the node ($K8TS_NODE_NAME) and the component.
   */
  natsUrl?: string;
  node?: string;
}

/** Maps a klog -v value to a pino level. */
export function levelForVerbosity(v: number | undefined): LevelWithSilent {
  const n = v ?? 0;
  if (n >= 6) return 'trace';
  if (n >= 4) return 'debug';
  return 'info';
}

export function createLogger(o: LoggerOptions): Logger {
  const level = o.level ?? (process.env.K8TS_LOG_LEVEL as LevelWithSilent | undefined) ?? levelForVerbosity(o.verbosity);
  const local = o.destination ?? pino.destination(2);
  const url = o.natsUrl ?? process.env.K8TS_NATS_URL;
  const node = o.node ?? process.env.K8TS_NODE_NAME;
  const base = { component: o.component, ...(node ? { node } : {}) };
  if (!url) return pino({ name: o.component, level, base }, local);
  const stream = openProcessLogStream({ url, component: o.component, node });
  return pino({ name: o.component, level, base }, pino.multistream([{ level: 'trace', stream: local }, { level: 'trace', stream }]));
}

/** A child logger for one object, carrying `object: "ns/name"` as klog.KObj does. */
export function forObject(log: Logger, o: { metadata?: { namespace?: string; name?: string } } | string): Logger {
  const key = typeof o === 'string' ? o : o.metadata?.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : `${o.metadata?.name ?? ''}`;
  return log.child({ object: key });
}

/** A logger that writes nothing: the default for library code given no logger. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
