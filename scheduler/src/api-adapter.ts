// SchedulerAPI over the shared client: pods/binding, status patches, preemption deletes and events.
import type { Pod, PodCondition } from 'kubernetes-types/core/v1';
import { isNotFound } from '@k8ts/api/status.ts';
import type { Clientset, EventRecorder, Logger } from '@k8ts/client';
import type { SchedulerAPI } from './scheduler.ts';

export function clientSchedulerAPI(cs: Clientset, recorder: EventRecorder, fieldManager = 'kube-scheduler', log?: Logger): SchedulerAPI {
  const pods = (p: Pod) => cs.pods(p.metadata?.namespace ?? 'default');
  const patchStatus = async (p: Pod, status: Record<string, unknown>) => {
    await pods(p).patch(p.metadata!.name!, { status }, 'strategic', { subresource: 'status', fieldManager });
  };
  return {
    async bind(pod, nodeName) {
      await pods(pod).bind(pod.metadata!.name!, nodeName, { uid: pod.metadata?.uid, fieldManager });
    },
    async updatePodStatus(pod, u) {
      const status: Record<string, unknown> = {};
      if (u.condition) status.conditions = [u.condition];
      if (u.nominatedNodeName !== undefined) status.nominatedNodeName = u.nominatedNodeName;
      if (Object.keys(status).length === 0) return;
      try {
        await patchStatus(pod, status);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    },
    async preemptPod(victim, preemptor, _nodeName) {
      const condition: PodCondition = {
        type: 'DisruptionTarget',
        status: 'True',
        reason: 'PreemptionByScheduler',
        message: `${preemptor.spec?.schedulerName || 'default-scheduler'}: preempting to accommodate a higher priority pod`,
        lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      };
      try {
        await patchStatus(victim, { conditions: [condition] });
        await pods(victim).delete(victim.metadata!.name!, { preconditions: { uid: victim.metadata?.uid } });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    },
    event(obj, type, reason, message) {
      // What the scheduler decided, in its log as well as in the pod's events.
      log?.[type === 'Warning' ? 'warn' : 'info']({ pod: `${obj.metadata?.namespace}/${obj.metadata?.name}`, reason }, message);
      recorder.event(obj as never, type, reason, message);
    },
  };
}
