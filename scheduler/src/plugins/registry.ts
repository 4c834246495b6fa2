import type { NamespaceLabels } from '../framework/pod-info.ts';
import type { PluginEntry, Profile } from '../framework/runtime.ts';
import type { PreemptionOptions } from '../preemption.ts';
import { DefaultBinder, type BindFunc } from './default-binder.ts';
import { DefaultPreemption } from './default-preemption.ts';
import { ImageLocality } from './image-locality.ts';
import { InterPodAffinity } from './inter-pod-affinity.ts';
import { NodeAffinity } from './node-affinity.ts';
import { NodeName } from './node-name.ts';
import { NodePorts } from './node-ports.ts';
import { NodeResourcesBalancedAllocation } from './node-resources-balanced-allocation.ts';
import { NodeResourcesFit } from './node-resources-fit.ts';
import { NodeUnschedulable } from './node-unschedulable.ts';
import { PodTopologySpread, type DefaultSelectorFunc } from './pod-topology-spread.ts';
import type { ResourceSpec } from './node-resources-fit.ts';
import type { TopologySpreadConstraint } from 'kubernetes-types/core/v1';
import { TaintToleration } from './taint-toleration.ts';

export interface DefaultProfileOptions {
  schedulerName?: string;
  bind?: BindFunc;
  percentageOfNodesToScore?: number;
  namespaceLabels?: NamespaceLabels;
  preemption?: PreemptionOptions;
  /** Selector of the Services/ReplicaSets/StatefulSets selecting a pod, for PodTopologySpread's system defaults. */
  defaultSpreadSelector?: DefaultSelectorFunc;
  /** NodeResourcesFit / BalancedAllocation scoring resources (pluginConfig args). */
  fitScoringResources?: ResourceSpec[];
  balancedResources?: ResourceSpec[];
  hardPodAffinityWeight?: number;
  /** PodTopologySpread defaultingType List: these constraints instead of the system defaults. */
  spreadDefaultConstraints?: TopologySpreadConstraint[];
}

/**
 * The default plugins in upstream's order (filters run in this order, so the first failing one names the reason),
 * with the default score weights: TaintToleration 3, NodeAffinity 2, PodTopologySpread 2, InterPodAffinity 2,
 * NodeResourcesFit 1, NodeResourcesBalancedAllocation 1, ImageLocality 1.
 */
export function defaultPlugins(opts: DefaultProfileOptions = {}): PluginEntry[] {
  const entries: PluginEntry[] = [
    { plugin: new NodeUnschedulable() },
    { plugin: new NodeName() },
    { plugin: new TaintToleration(), weight: 3 },
    { plugin: new NodeAffinity(), weight: 2 },
    { plugin: new NodePorts() },
    { plugin: new NodeResourcesFit(opts.fitScoringResources), weight: 1 },
    {
      plugin: new PodTopologySpread({ defaultSelector: opts.defaultSpreadSelector, defaultConstraints: opts.spreadDefaultConstraints }),
      weight: 2,
    },
    { plugin: new InterPodAffinity({ namespaceLabels: opts.namespaceLabels, hardPodAffinityWeight: opts.hardPodAffinityWeight }), weight: 2 },
    { plugin: new DefaultPreemption(opts.preemption) },
    { plugin: new NodeResourcesBalancedAllocation(opts.balancedResources), weight: 1 },
    { plugin: new ImageLocality(), weight: 1 },
  ];
  if (opts.bind) entries.push({ plugin: new DefaultBinder(opts.bind) });
  return entries;
}

export function defaultProfile(opts: DefaultProfileOptions = {}): Profile {
  return {
    schedulerName: opts.schedulerName ?? 'default-scheduler',
    plugins: defaultPlugins(opts),
    percentageOfNodesToScore: opts.percentageOfNodesToScore,
  };
}
