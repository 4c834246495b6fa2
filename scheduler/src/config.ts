// KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1), the subset k8ts understands: client connection,
// leader election, backoffs, percentageOfNodesToScore and profiles (plugins enabled/disabled per extension point,
// score weights, pluginConfig args of NodeResourcesFit, NodeResourcesBalancedAllocation, InterPodAffinity,
// PodTopologySpread and DefaultPreemption).
import { parse } from 'yaml';
import { kubeYamlOptions } from '@k8ts/api/yaml.ts';
import type { TopologySpreadConstraint } from 'kubernetes-types/core/v1';
import type { ExtensionPoint, PluginEntry, Profile } from './framework/runtime.ts';
import { defaultPlugins, type DefaultProfileOptions } from './plugins/registry.ts';
import type { ResourceSpec } from './plugins/node-resources-fit.ts';

export interface PluginRef {
  name: string;
  weight?: number;
}
export interface PluginSet {
  enabled?: PluginRef[];
  disabled?: PluginRef[];
}
export type PluginsConfig = Partial<Record<ExtensionPoint | 'multiPoint', PluginSet>>;

export interface ProfileConfig {
  schedulerName?: string;
  percentageOfNodesToScore?: number;
  plugins?: PluginsConfig;
  pluginConfig?: { name: string; args?: Record<string, unknown> }[];
}

export interface KubeSchedulerConfiguration {
  apiVersion: string;
  kind: string;
  clientConnection?: { kubeconfig?: string; qps?: number; burst?: number };
  leaderElection?: {
    leaderElect?: boolean;
    leaseDuration?: string;
    renewDeadline?: string;
    retryPeriod?: string;
    resourceNamespace?: string;
    resourceName?: string;
  };
  percentageOfNodesToScore?: number;
  podInitialBackoffSeconds?: number;
  podMaxBackoffSeconds?: number;
  profiles?: ProfileConfig[];
}

export function parseDuration(s: string | undefined, def: number): number {
  if (!s) return def;
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(s))) {
    total += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
    consumed += m[0].length;
  }
  if (consumed !== s.length) throw new Error(`time: invalid duration "${s}"`);
  return total;
}

export function parseSchedulerConfig(text: string): KubeSchedulerConfiguration {
  const cfg = parse(text, kubeYamlOptions) as KubeSchedulerConfiguration;
  if (!cfg || typeof cfg !== 'object') throw new Error('empty scheduler configuration');
  if (cfg.kind !== 'KubeSchedulerConfiguration') throw new Error(`no kind "${cfg.kind}" is registered for the configuration`);
  if (cfg.apiVersion !== 'kubescheduler.config.k8s.io/v1') throw new Error(`no kind "KubeSchedulerConfiguration" is registered for version "${cfg.apiVersion}"`);
  const pct = cfg.percentageOfNodesToScore;
  if (pct !== undefined && (pct < 0 || pct > 100)) throw new Error(`percentageOfNodesToScore: Invalid value: ${pct}: not in valid range [0-100]`);
  const names = new Set<string>();
  for (const p of cfg.profiles ?? []) {
    const n = p.schedulerName ?? 'default-scheduler';
    if (names.has(n)) throw new Error(`profiles[].schedulerName: Duplicate value: "${n}"`);
    names.add(n);
  }
  return cfg;
}

const POINTS: ExtensionPoint[] = ['preFilter', 'filter', 'postFilter', 'preScore', 'score', 'reserve', 'bind'];

function argsOf(p: ProfileConfig, name: string): Record<string, unknown> | undefined {
  return p.pluginConfig?.find((c) => c.name === name)?.args;
}

function resourcesArg(args: Record<string, unknown> | undefined, key: 'scoringStrategy' | 'resources'): ResourceSpec[] | undefined {
  if (!args) return undefined;
  if (key === 'scoringStrategy') {
    const st = args.scoringStrategy as { type?: string; resources?: ResourceSpec[] } | undefined;
    if (!st) return undefined;
    if (st.type && st.type !== 'LeastAllocated') throw new Error(`scoringStrategy.type: Unsupported value: "${st.type}" (k8ts supports LeastAllocated)`);
    return st.resources;
  }
  return args.resources as ResourceSpec[] | undefined;
}

/** The Profile for one profile config: the default plugins with the config's changes applied. */
export function buildProfile(p: ProfileConfig, global: KubeSchedulerConfiguration, base: DefaultProfileOptions): Profile {
  const spread = argsOf(p, 'PodTopologySpread');
  const preempt = argsOf(p, 'DefaultPreemption');
  const opts: DefaultProfileOptions = {
    ...base,
    fitScoringResources: resourcesArg(argsOf(p, 'NodeResourcesFit'), 'scoringStrategy'),
    balancedResources: resourcesArg(argsOf(p, 'NodeResourcesBalancedAllocation'), 'resources'),
    hardPodAffinityWeight: argsOf(p, 'InterPodAffinity')?.hardPodAffinityWeight as number | undefined,
    spreadDefaultConstraints: spread?.defaultingType === 'List' ? ((spread.defaultConstraints as TopologySpreadConstraint[]) ?? []) : undefined,
    preemption: {
      ...base.preemption,
      minCandidateNodesPercentage: preempt?.minCandidateNodesPercentage as number | undefined,
      minCandidateNodesAbsolute: preempt?.minCandidateNodesAbsolute as number | undefined,
    },
  };
  let entries: PluginEntry[] = defaultPlugins(opts);
  const known = new Set(entries.map((e) => e.plugin.name));
  const plugins = p.plugins ?? {};
  const isOff = (set: PluginSet | undefined, name: string) => !!set?.disabled?.some((d) => d.name === '*' || d.name === name);
  // multiPoint disabled removes a plugin everywhere unless enabled again.
  const multi = plugins.multiPoint;
  entries = entries.filter((e) => !isOff(multi, e.plugin.name) || multi?.enabled?.some((x) => x.name === e.plugin.name));
  for (const e of entries) {
    for (const point of POINTS) {
      const set = plugins[point];
      if (isOff(set, e.plugin.name) && !set?.enabled?.some((x) => x.name === e.plugin.name)) {
        (e.disabledAt ??= new Set()).add(point);
      }
    }
  }
  for (const set of [multi, plugins.score]) {
    for (const en of set?.enabled ?? []) {
      if (!known.has(en.name)) throw new Error(`plugin "${en.name}" does not exist`);
      const e = entries.find((x) => x.plugin.name === en.name);
      if (e && en.weight !== undefined) e.weight = en.weight;
    }
  }
  for (const point of POINTS) {
    for (const en of plugins[point]?.enabled ?? []) if (!known.has(en.name)) throw new Error(`plugin "${en.name}" does not exist`);
  }
  return {
    schedulerName: p.schedulerName ?? 'default-scheduler',
    plugins: entries,
    percentageOfNodesToScore: p.percentageOfNodesToScore ?? global.percentageOfNodesToScore ?? base.percentageOfNodesToScore,
  };
}

export function buildProfiles(cfg: KubeSchedulerConfiguration, base: DefaultProfileOptions): Profile[] {
  const profiles = cfg.profiles?.length ? cfg.profiles : [{}];
  return profiles.map((p) => buildProfile(p, cfg, base));
}
