import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import { DeletedFinalStateUnknown } from '@k8ts/client';
import { wireInformers } from '../src/app.ts';
import { Scheduler, type SchedulerAPI } from '../src/scheduler.ts';
import { makeNode, makePod } from './helpers.ts';

type Handler = { onAdd?(o: unknown, initial: boolean): void; onUpdate?(a: unknown, b: unknown): void; onDelete?(o: unknown): void };

function fakeFactory() {
  const handlers: Record<string, Handler> = {};
  const inf = (kind: string) => ({ addEventHandler: (h: Handler) => ((handlers[kind] = h), { hasSynced: () => true, remove() {} }) });
  return { handlers, factory: { nodes: () => inf('nodes'), pods: () => inf('pods') } };
}

const api: SchedulerAPI = { async bind() {}, async updatePodStatus() {}, async preemptPod() {}, event() {} };

describe('wireInformers', () => {
  it('feeds nodes and pods into the cache and queue, dropping terminal pods', () => {
    const s = new Scheduler(api);
    const { handlers, factory } = fakeFactory();
    wireInformers(s, factory as never);
    handlers.nodes.onAdd!(makeNode('n1', { cpu: '1' }), true);
    const running = makePod('running', { nodeName: 'n1', cpu: '1' });
    handlers.pods.onAdd!(running, true);
    handlers.pods.onAdd!({ ...makePod('done', { nodeName: 'n1', cpu: '1' }), status: { phase: 'Succeeded' } }, true);
    handlers.pods.onAdd!(makePod('pending'), true);
    expect(s.cache.podCount()).toBe(1);
    expect(s.queue.pendingPods().active.map((p) => p.metadata!.name)).toEqual(['pending']);
    // a pod finishing frees its resources
    handlers.pods.onUpdate!(running, { ...running, status: { phase: 'Succeeded' } } as Pod);
    expect(s.cache.podCount()).toBe(0);
    // tombstones are unwrapped
    handlers.nodes.onDelete!(new DeletedFinalStateUnknown('n1', makeNode('n1')));
    expect(s.cache.nodeCount()).toBe(0);
  });
});
