import type { Pod } from 'kubernetes-types/core/v1';
import type { CycleState } from './cycle-state.ts';
import type {
  BindPlugin,
  ClusterEvent,
  FilterPlugin,
  NodeScore,
  NodeToStatusReader,
  Plugin,
  PostFilterPlugin,
  PostFilterResult,
  PreFilterPlugin,
  PreFilterResult,
  PreScorePlugin,
  ReservePlugin,
  ScorePlugin,
} from './interface.ts';
import { MAX_NODE_SCORE, MIN_NODE_SCORE } from './interface.ts';
import type { NodeInfo } from './node-info.ts';
import { PodInfo, podPriority } from './pod-info.ts';
import { Code, Status, type MaybeStatus } from './status.ts';

/** A plugin of a profile and its score weight (used only when it scores). */
export interface PluginEntry {
  plugin: Plugin;
  weight?: number;
  /** Extension points where this plugin is disabled (e.g. "score"), as a profile's plugins.<point>.disabled. */
  disabledAt?: Set<ExtensionPoint>;
}

export type ExtensionPoint = 'preFilter' | 'filter' | 'postFilter' | 'preScore' | 'score' | 'reserve' | 'bind';

/** A scheduling profile (upstream KubeSchedulerProfile): a scheduler name and its plugins in run order. */
export interface Profile {
  schedulerName: string;
  plugins: PluginEntry[];
  /** 0 or absent: the adaptive default. */
  percentageOfNodesToScore?: number;
}

export interface NodePluginScores {
  name: string;
  scores: { plugin: string; score: number }[];
  totalScore: number;
}

function addScore(weighted: Float64Array, totals: Float64Array, at: number, i: number, plugin: string, score: number, weight: number): void {
  if (score > MAX_NODE_SCORE || score < MIN_NODE_SCORE) {
    throw new Error(`plugin "${plugin}" returns an invalid score ${score}, it should in the range of [${MIN_NODE_SCORE}, ${MAX_NODE_SCORE}] after normalizing`);
  }
  const w = score * weight;
  weighted[at] = w;
  totals[i] += w;
}

/** One node's scores from runScorePlugins; the per-plugin list is built only when read (logs, tests). */
class NodeScores implements NodePluginScores {
  readonly name: string;
  readonly totalScore: number;
  private readonly plugins: string[];
  private readonly weighted: Float64Array;
  private readonly offset: number;

  constructor(name: string, totalScore: number, plugins: string[], weighted: Float64Array, offset: number) {
    this.name = name;
    this.totalScore = totalScore;
    this.plugins = plugins;
    this.weighted = weighted;
    this.offset = offset;
  }

  get scores(): { plugin: string; score: number }[] {
    return this.plugins.map((plugin, j) => ({ plugin, score: this.weighted[this.offset + j] }));
  }
}

const has = <K extends string>(p: Plugin, m: K): boolean => typeof (p as unknown as Record<string, unknown>)[m] === 'function';

/** Runs a profile's plugins at each extension point (upstream frameworkImpl). */
export class Framework {
  readonly profile: Profile;
  readonly preFilterPlugins: PreFilterPlugin[];
  readonly filterPlugins: FilterPlugin[];
  readonly postFilterPlugins: PostFilterPlugin[];
  readonly preScorePlugins: PreScorePlugin[];
  readonly scorePlugins: { plugin: ScorePlugin; weight: number }[];
  readonly reservePlugins: ReservePlugin[];
  readonly bindPlugins: BindPlugin[];
  /** Pods nominated to a node (set by the scheduler to the queue's nominator). */
  nominatedPodsForNode: (nodeName: string) => Pod[] = () => [];
  /** Whether any pod is nominated at all (false lets a cycle skip the per-node lookups); set with nominatedPodsForNode. */
  hasNominatedPods: () => boolean = () => true;

  constructor(profile: Profile) {
    this.profile = profile;
    const ps = profile.plugins.map((e) => e.plugin);
    const at = (point: ExtensionPoint) => profile.plugins.filter((e) => has(e.plugin, point) && !e.disabledAt?.has(point));
    this.preFilterPlugins = at('preFilter').map((e) => e.plugin) as PreFilterPlugin[];
    this.filterPlugins = at('filter').map((e) => e.plugin) as FilterPlugin[];
    this.postFilterPlugins = at('postFilter').map((e) => e.plugin) as PostFilterPlugin[];
    this.preScorePlugins = at('preScore').map((e) => e.plugin) as PreScorePlugin[];
    this.scorePlugins = at('score').map((e) => ({ plugin: e.plugin as ScorePlugin, weight: e.weight ?? 1 }));
    this.reservePlugins = at('reserve').map((e) => e.plugin) as ReservePlugin[];
    this.bindPlugins = at('bind').map((e) => e.plugin) as BindPlugin[];
    for (const p of ps) if (has(p, 'setFramework')) (p as unknown as { setFramework(f: Framework): void }).setFramework(this);
  }

  get schedulerName(): string {
    return this.profile.schedulerName;
  }

  /** Plugin name -> events that may make pods it rejected schedulable. */
  eventsToRegister(): Map<string, ClusterEvent[]> {
    const m = new Map<string, ClusterEvent[]>();
    for (const e of this.profile.plugins) {
      const p = e.plugin;
      m.set(p.name, p.eventsToRegister ? p.eventsToRegister() : [{ resource: '*', action: '*' }]);
    }
    return m;
  }

  runPreFilterPlugins(
    state: CycleState,
    pod: Pod,
  ): { result: PreFilterResult | null; status: Status; unschedulablePlugins: Set<string>; narrowing: string[] } {
    let result: PreFilterResult | null = null;
    const narrowing: string[] = [];
    const unschedulablePlugins = new Set<string>();
    for (const pl of this.preFilterPlugins) {
      let r: { result?: PreFilterResult | null; status?: MaybeStatus };
      try {
        r = pl.preFilter(state, pod);
      } catch (e) {
        return { result: null, status: Status.asStatus(e).withPlugin(pl.name), unschedulablePlugins, narrowing };
      }
      const s = r.status;
      if (s && s.code === Code.Skip) {
        state.skipFilterPlugins.add(pl.name);
        continue;
      }
      if (s && !s.isSuccess()) {
        s.withPlugin(pl.name);
        if (s.isRejected()) unschedulablePlugins.add(pl.name);
        return { result: null, status: s, unschedulablePlugins, narrowing };
      }
      if (r.result?.nodeNames) {
        narrowing.push(pl.name);
        const names = r.result.nodeNames;
        const prev: Set<string> | null = result ? (result as PreFilterResult).nodeNames : null;
        const merged: Set<string> = prev ? new Set([...prev].filter((n) => names.has(n))) : new Set(names);
        result = { nodeNames: merged };
        if (merged.size === 0) {
          const msg =
            narrowing.length === 1
              ? `node(s) didn't satisfy plugin ${narrowing[0]}`
              : `node(s) didn't satisfy plugin(s) [${narrowing.join(' ')}] simultaneously`;
          for (const n of narrowing) unschedulablePlugins.add(n);
          return { result: null, status: Status.unresolvable(msg), unschedulablePlugins, narrowing };
        }
      }
    }
    return { result, status: Status.success(), unschedulablePlugins, narrowing };
  }

  /** Runs Filter plugins in order; the first non-success status is returned with its plugin set. */
  runFilterPlugins(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status | null {
    return this.runFilterPluginList(state, pod, nodeInfo, this.filterPluginsToRun(state));
  }

  /** The Filter plugins not skipped by their PreFilter in this cycle (compute once, reuse for every node). */
  filterPluginsToRun(state: CycleState): FilterPlugin[] {
    const skip = state.skipFilterPlugins;
    if (skip.size === 0) return this.filterPlugins;
    return this.filterPlugins.filter((pl) => !skip.has(pl.name));
  }

  /** runFilterPlugins with the list from filterPluginsToRun(state). */
  runFilterPluginList(state: CycleState, pod: Pod, nodeInfo: NodeInfo, plugins: FilterPlugin[]): Status | null {
    for (let i = 0; i < plugins.length; i++) {
      const pl = plugins[i];
      let s: MaybeStatus;
      try {
        s = pl.filter(state, pod, nodeInfo);
      } catch (e) {
        s = Status.asStatus(e);
      }
      if (s && !s.isSuccess()) {
        if (!s.isRejected() && s.code !== Code.Error) continue;
        return s.withPlugin(pl.name);
      }
    }
    return null;
  }

  runPreFilterExtensionAddPod(state: CycleState, pod: Pod, toAdd: PodInfo, nodeInfo: NodeInfo): MaybeStatus {
    for (const pl of this.preFilterPlugins) {
      if (state.skipFilterPlugins.has(pl.name)) continue;
      const ext = pl.preFilterExtensions?.();
      if (!ext) continue;
      const s = ext.addPod(state, pod, toAdd, nodeInfo);
      if (s && !s.isSuccess()) return s.withPlugin(pl.name);
    }
    return null;
  }

  runPreFilterExtensionRemovePod(state: CycleState, pod: Pod, toRemove: PodInfo, nodeInfo: NodeInfo): MaybeStatus {
    for (const pl of this.preFilterPlugins) {
      if (state.skipFilterPlugins.has(pl.name)) continue;
      const ext = pl.preFilterExtensions?.();
      if (!ext) continue;
      const s = ext.removePod(state, pod, toRemove, nodeInfo);
      if (s && !s.isSuccess()) return s.withPlugin(pl.name);
    }
    return null;
  }

  /**
   * Filters with the pods nominated to this node that have priority >= pod's added first (as if already running),
   * then, if any were added, once more without them (upstream RunFilterPluginsWithNominatedPods).
   */
  runFilterPluginsWithNominatedPods(state: CycleState, pod: Pod, nodeInfo: NodeInfo, nominated: Pod[] = [], plugins?: FilterPlugin[]): Status | null {
    if (nominated.length === 0) return this.runFilterPluginList(state, pod, nodeInfo, plugins ?? this.filterPluginsToRun(state));
    const prio = podPriority(pod);
    const uid = pod.metadata?.uid;
    const relevant = nominated.filter((p) => podPriority(p) >= prio && p.metadata?.uid !== uid);
    if (relevant.length > 0) {
      const st = state.clone();
      const ni = nodeInfo.clone();
      for (const p of relevant) {
        const pi = new PodInfo(p);
        ni.addPodInfo(pi);
        const s = this.runPreFilterExtensionAddPod(st, pod, pi, ni);
        if (s && !s.isSuccess()) return s;
      }
      const s = this.runFilterPlugins(st, pod, ni);
      if (s) return s;
    }
    return this.runFilterPluginList(state, pod, nodeInfo, plugins ?? this.filterPluginsToRun(state));
  }

  runPostFilterPlugins(state: CycleState, pod: Pod, statuses: NodeToStatusReader): { result: PostFilterResult | null; status: Status } {
    let last: { result: PostFilterResult | null; status: Status } = { result: null, status: new Status(Code.Unschedulable) };
    const reasons: string[] = [];
    for (const pl of this.postFilterPlugins) {
      const r = pl.postFilter(state, pod, statuses);
      r.status.withPlugin(pl.name);
      if (r.status.isSuccess()) return r;
      if (r.status.code === Code.Error) return r;
      reasons.push(...r.status.reasons);
      last = r;
    }
    return { result: last.result, status: new Status(Code.Unschedulable, reasons, last.status.plugin) };
  }

  runPreScorePlugins(state: CycleState, pod: Pod, nodes: NodeInfo[]): Status | null {
    for (const pl of this.preScorePlugins) {
      let s: MaybeStatus;
      try {
        s = pl.preScore(state, pod, nodes);
      } catch (e) {
        return Status.asStatus(e).withPlugin(pl.name);
      }
      if (s && s.code === Code.Skip) {
        state.skipScorePlugins.add(pl.name);
        continue;
      }
      if (s && !s.isSuccess()) return s.withPlugin(pl.name);
    }
    return null;
  }

  /** Score, NormalizeScore, then weight; returns per-node totals in node order. */
  runScorePlugins(state: CycleState, pod: Pod, nodes: NodeInfo[]): NodePluginScores[] {
    const n = nodes.length;
    const plugins = state.skipScorePlugins.size === 0 ? this.scorePlugins : this.scorePlugins.filter((p) => !state.skipScorePlugins.has(p.plugin.name));
    const k = plugins.length;
    // Weighted scores, node-major (node i's plugin j at i*k+j), and the totals: one allocation each per cycle.
    const weighted = new Float64Array(n * k);
    const totals = new Float64Array(n);
    let raw: Float64Array | null = null;
    for (let j = 0; j < k; j++) {
      const { plugin, weight } = plugins[j];
      const name = plugin.name;
      if (plugin.normalizeScore) {
        const scores: NodeScore[] = new Array(n);
        for (let i = 0; i < n; i++) scores[i] = { name: nodes[i].name, score: plugin.score(state, pod, nodes[i]) };
        const s = plugin.normalizeScore(state, pod, scores);
        if (s && !s.isSuccess()) throw new Error(`plugin ${name} failed to normalize scores: ${s.message()}`);
        for (let i = 0; i < n; i++) addScore(weighted, totals, i * k + j, i, name, scores[i].score, weight);
      } else {
        // No NormalizeScore: no NodeScore objects, the raw scores go to a reused array.
        raw ??= new Float64Array(n);
        for (let i = 0; i < n; i++) raw[i] = plugin.score(state, pod, nodes[i]);
        for (let i = 0; i < n; i++) addScore(weighted, totals, i * k + j, i, name, raw[i], weight);
      }
    }
    const names = plugins.map((p) => p.plugin.name);
    const out: NodePluginScores[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = new NodeScores(nodes[i].name, totals[i], names, weighted, i * k);
    return out;
  }

  runReservePluginsReserve(state: CycleState, pod: Pod, nodeName: string): Status | null {
    for (const pl of this.reservePlugins) {
      const s = pl.reserve(state, pod, nodeName);
      if (s && !s.isSuccess()) return s.withPlugin(pl.name);
    }
    return null;
  }

  runReservePluginsUnreserve(state: CycleState, pod: Pod, nodeName: string): void {
    for (let i = this.reservePlugins.length - 1; i >= 0; i--) this.reservePlugins[i].unreserve(state, pod, nodeName);
  }

  async runBindPlugins(state: CycleState, pod: Pod, nodeName: string): Promise<Status | null> {
    if (this.bindPlugins.length === 0) return new Status(Code.Skip);
    for (const pl of this.bindPlugins) {
      let s: MaybeStatus;
      try {
        s = await pl.bind(state, pod, nodeName);
      } catch (e) {
        return Status.asStatus(e).withPlugin(pl.name);
      }
      if (s && s.code === Code.Skip) continue;
      if (s && !s.isSuccess()) return s.withPlugin(pl.name);
      return null;
    }
    return new Status(Code.Skip);
  }
}
