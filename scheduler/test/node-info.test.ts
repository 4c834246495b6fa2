import { describe, expect, it } from 'vitest';
import { NodeInfo } from '../src/framework/node-info.ts';
import { makeNode, makePod } from './helpers.ts';

/** The fields the hot Filter/Score paths read, against the Resource objects they mirror. */
function mirrored(ni: NodeInfo) {
  return {
    fields: [ni.allocMilliCPU, ni.allocMemory, ni.allocEphemeral, ni.allowedPods, ni.reqMilliCPU, ni.reqMemory, ni.reqEphemeral, ni.nonZeroMilliCPU, ni.nonZeroMemory, ni.numPods],
    objects: [ni.allocatable.milliCPU, ni.allocatable.memory, ni.allocatable.ephemeralStorage, ni.allocatable.allowedPodNumber,
      ni.requested.milliCPU, ni.requested.memory, ni.requested.ephemeralStorage, ni.nonZeroRequested.milliCPU, ni.nonZeroRequested.memory, ni.pods.length],
  };
}

describe('NodeInfo', () => {
  it('keeps its amount fields in step with allocatable, requested and pods through adds, removals, clones and node updates', () => {
    const ni = new NodeInfo(makeNode('n1', { cpu: '4', memory: '32Gi', pods: '110', extra: { 'ephemeral-storage': '100Gi' } }));
    expect(mirrored(ni).fields).toEqual([4000, 32 * 2 ** 30, 100 * 2 ** 30, 110, 0, 0, 0, 0, 0, 0]);
    const a = makePod('a', { cpu: '250m', memory: '500Mi' });
    const b = makePod('b', {}); // no requests: 100m / 200Mi when scoring
    ni.addPod(a);
    ni.addPod(b);
    let m = mirrored(ni);
    expect(m.fields).toEqual(m.objects);
    expect(m.fields.slice(4)).toEqual([250, 500 * 2 ** 20, 0, 350, 700 * 2 ** 20, 2]);
    const c = ni.clone();
    ni.removePod(a);
    m = mirrored(ni);
    expect(m.fields).toEqual(m.objects);
    expect(m.fields.slice(4)).toEqual([0, 0, 0, 100, 200 * 2 ** 20, 1]);
    // The clone is independent and mirrors its own state.
    m = mirrored(c);
    expect(m.fields).toEqual(m.objects);
    expect(c.numPods).toBe(2);
    ni.setNode(makeNode('n1', { cpu: '8', memory: '64Gi', pods: '50', taints: [{ key: 'k', effect: 'NoSchedule' }], unschedulable: true }));
    m = mirrored(ni);
    expect(m.fields).toEqual(m.objects);
    expect([ni.allocMilliCPU, ni.allowedPods, ni.unschedulable, ni.taints?.[0].key]).toEqual([8000, 50, true, 'k']);
    ni.setNode(makeNode('n1', { taints: [] }));
    expect([ni.unschedulable, ni.taints]).toEqual([false, undefined]);
  });
});
