// Which pod updates make the kubelet sync (upstream pod config: status-only changes are RECONCILE, not UPDATE).
import { describe, it, expect } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import { podSpecChanged } from '../src/kubelet.ts';

const base: Pod = {
  metadata: { name: 'p', namespace: 'default', uid: 'u1', resourceVersion: '1', labels: { a: 'b' } },
  spec: { containers: [{ name: 'c', image: 'busybox' }] },
  status: { phase: 'Pending' },
};

describe('podSpecChanged', () => {
  it('ignores status, resourceVersion and managedFields changes', () => {
    expect(podSpecChanged(base, { ...base, metadata: { ...base.metadata, resourceVersion: '2', managedFields: [{ manager: 'kubelet' }] }, status: { phase: 'Running', podIP: '10.0.0.1' } })).toBe(false);
  });
  it('sees spec, label, annotation and deletion changes', () => {
    expect(podSpecChanged(base, { ...base, spec: { containers: [{ name: 'c', image: 'busybox:1' }] } })).toBe(true);
    expect(podSpecChanged(base, { ...base, metadata: { ...base.metadata, labels: { a: 'c' } } })).toBe(true);
    expect(podSpecChanged(base, { ...base, metadata: { ...base.metadata, annotations: { x: 'y' } } })).toBe(true);
    expect(podSpecChanged(base, { ...base, metadata: { ...base.metadata, deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 30 } })).toBe(true);
  });
});
