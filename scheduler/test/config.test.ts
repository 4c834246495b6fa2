import { describe, expect, it } from 'vitest';
import { buildProfiles, parseDuration, parseSchedulerConfig } from '../src/config.ts';
import { Framework } from '../src/framework/runtime.ts';
import { Snapshot } from '../src/framework/snapshot.ts';
import { scheduleOne } from '../src/schedule-one.ts';
import { makeNode, makePod } from './helpers.ts';

const yaml = `
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
leaderElection:
  leaderElect: false
percentageOfNodesToScore: 30
profiles:
- schedulerName: default-scheduler
  plugins:
    score:
      enabled:
      - name: TaintToleration
        weight: 7
      disabled:
      - name: ImageLocality
- schedulerName: no-taints
  plugins:
    multiPoint:
      disabled:
      - name: TaintToleration
    filter:
      disabled:
      - name: NodePorts
  pluginConfig:
  - name: NodeResourcesFit
    args:
      scoringStrategy:
        type: LeastAllocated
        resources:
        - name: cpu
          weight: 1
`;

describe('KubeSchedulerConfiguration', () => {
  it('builds profiles with weights and disabled plugins', () => {
    const cfg = parseSchedulerConfig(yaml);
    const [def, noTaints] = buildProfiles(cfg, {}).map((p) => new Framework(p));
    expect(def.schedulerName).toBe('default-scheduler');
    expect(def.profile.percentageOfNodesToScore).toBe(30);
    expect(def.scorePlugins.map((s) => `${s.plugin.name}:${s.weight}`)).toEqual([
      'TaintToleration:7',
      'NodeAffinity:2',
      'NodeResourcesFit:1',
      'PodTopologySpread:2',
      'InterPodAffinity:2',
      'NodeResourcesBalancedAllocation:1',
    ]);
    expect(noTaints.filterPlugins.map((p) => p.name)).not.toContain('TaintToleration');
    expect(noTaints.filterPlugins.map((p) => p.name)).not.toContain('NodePorts');
    expect(noTaints.preFilterPlugins.map((p) => p.name)).toContain('NodePorts');
    // the second profile really schedules onto tainted nodes
    const snap = Snapshot.fromObjects([makeNode('tainted', { taints: [{ key: 'k', effect: 'NoSchedule' }] })]);
    expect(scheduleOne(noTaints, makePod('p'), snap).kind).toBe('scheduled');
    expect(scheduleOne(def, makePod('p'), snap).kind).toBe('unschedulable');
  });

  it('rejects what upstream rejects', () => {
    expect(() => parseSchedulerConfig('apiVersion: v1\nkind: Pod\n')).toThrow(/no kind "Pod"/);
    expect(() => parseSchedulerConfig('apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\npercentageOfNodesToScore: 101\n')).toThrow(
      /not in valid range/,
    );
    expect(() =>
      parseSchedulerConfig('apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n- schedulerName: a\n- schedulerName: a\n'),
    ).toThrow(/Duplicate value: "a"/);
    const bad = parseSchedulerConfig(
      'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n- plugins:\n    score:\n      enabled:\n      - name: Nope\n',
    );
    expect(() => buildProfiles(bad, {})).toThrow(/plugin "Nope" does not exist/);
  });

  it('parses durations', () => {
    expect(parseDuration('15s', 0)).toBe(15000);
    expect(parseDuration('1m30s', 0)).toBe(90000);
    expect(parseDuration(undefined, 7)).toBe(7);
    expect(() => parseDuration('abc', 0)).toThrow(/invalid duration/);
  });
});
