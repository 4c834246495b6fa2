// Status viewers (polymorphichelpers' rollout_status): what `rollout status` says about one observed object.
import type { Obj } from './objects.ts';

export interface RolloutStatus { message: string; done: boolean }

/** A status that ends the command with an error (the message is the error text). */
export class RolloutStatusError extends Error {}

const revisionAnnotation = 'deployment.kubernetes.io/revision';

function int(v: unknown): number { return typeof v === 'number' ? v : 0; }

export function deploymentStatus(d: Obj, revision: number): RolloutStatus {
  const name = d.metadata?.name ?? '';
  if (revision > 0) {
    const running = Number(d.metadata?.annotations?.[revisionAnnotation] ?? 0);
    if (!Number.isInteger(running)) throw new RolloutStatusError(`cannot get the revision of deployment "${name}": ${d.metadata?.annotations?.[revisionAnnotation]}`);
    if (revision !== running) throw new RolloutStatusError(`desired revision (${revision}) is different from the running revision (${running})`);
  }
  const st = d.status ?? {};
  if (int(d.metadata?.generation) > int(st.observedGeneration)) {
    return { message: 'Waiting for deployment spec update to be observed...\n', done: false };
  }
  const progressing = (st.conditions ?? []).find((c: Obj) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') throw new RolloutStatusError(`deployment "${name}" exceeded its progress deadline`);
  const want = d.spec?.replicas;
  const updated = int(st.updatedReplicas), replicas = int(st.replicas), available = int(st.availableReplicas);
  if (typeof want === 'number' && updated < want) {
    return { message: `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${want} new replicas have been updated...\n`, done: false };
  }
  if (replicas > updated) {
    return { message: `Waiting for deployment "${name}" rollout to finish: ${replicas - updated} old replicas are pending termination...\n`, done: false };
  }
  if (available < updated) {
    return { message: `Waiting for deployment "${name}" rollout to finish: ${available} of ${updated} updated replicas are available...\n`, done: false };
  }
  return { message: `deployment "${name}" successfully rolled out\n`, done: true };
}

export function daemonSetStatus(ds: Obj): RolloutStatus {
  const name = ds.metadata?.name ?? '';
  const type = ds.spec?.updateStrategy?.type ?? 'RollingUpdate';
  if (type !== 'RollingUpdate') throw new RolloutStatusError('rollout status is only available for RollingUpdate strategy type');
  const st = ds.status ?? {};
  if (int(ds.metadata?.generation) > int(st.observedGeneration)) {
    return { message: 'Waiting for daemon set spec update to be observed...\n', done: false };
  }
  const desired = int(st.desiredNumberScheduled);
  if (int(st.updatedNumberScheduled) < desired) {
    return { message: `Waiting for daemon set "${name}" rollout to finish: ${int(st.updatedNumberScheduled)} out of ${desired} new pods have been updated...\n`, done: false };
  }
  if (int(st.numberAvailable) < desired) {
    return { message: `Waiting for daemon set "${name}" rollout to finish: ${int(st.numberAvailable)} of ${desired} updated pods are available...\n`, done: false };
  }
  return { message: `daemon set "${name}" successfully rolled out\n`, done: true };
}

export function statefulSetStatus(sts: Obj): RolloutStatus {
  const type = sts.spec?.updateStrategy?.type ?? 'RollingUpdate';
  if (type !== 'RollingUpdate') throw new RolloutStatusError('rollout status is only available for RollingUpdate strategy type');
  const st = sts.status ?? {};
  const observed = int(st.observedGeneration);
  if (observed === 0 || int(sts.metadata?.generation) > observed) {
    return { message: 'Waiting for statefulset spec update to be observed...\n', done: false };
  }
  const want = sts.spec?.replicas;
  if (typeof want === 'number' && int(st.readyReplicas) < want) {
    return { message: `Waiting for ${want - int(st.readyReplicas)} pods to be ready...\n`, done: false };
  }
  const rolling = sts.spec?.updateStrategy?.rollingUpdate;
  if (rolling) {
    const partition = rolling.partition;
    if (typeof want === 'number' && typeof partition === 'number' && int(st.updatedReplicas) < want - partition) {
      return { message: `Waiting for partitioned roll out to finish: ${int(st.updatedReplicas)} out of ${want - partition} new pods have been updated...\n`, done: false };
    }
    return { message: `partitioned roll out complete: ${int(st.updatedReplicas)} new pods have been updated...\n`, done: true };
  }
  if (st.updateRevision !== st.currentRevision) {
    return { message: `waiting for statefulset rolling update to complete ${int(st.updatedReplicas)} pods at revision ${st.updateRevision ?? ''}...\n`, done: false };
  }
  return { message: `statefulset rolling update complete ${int(st.currentReplicas)} pods at revision ${st.currentRevision ?? ''}...\n`, done: true };
}

/** The viewer for a kind, or undefined when kubectl has none. */
export function statusViewerFor(group: string, kind: string): ((o: Obj, revision: number) => RolloutStatus) | undefined {
  if (group !== 'apps') return undefined;
  if (kind === 'Deployment') return deploymentStatus;
  if (kind === 'DaemonSet') return (o) => daemonSetStatus(o);
  if (kind === 'StatefulSet') return (o) => statefulSetStatus(o);
  return undefined;
}
