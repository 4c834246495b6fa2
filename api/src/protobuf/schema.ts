// Loads this package's .proto files (api/proto) and maps Kubernetes kinds to their messages.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const PROTO_DIR = fileURLToPath(new URL('../../proto/', import.meta.url));
const PROTO_FILES = ['runtime.proto', 'meta.proto', 'core.proto', 'apps.proto', 'batch.proto', 'policy.proto', 'autoscaling.proto'];

/** group/kind ("" for the core group) → fully qualified message name. */
const KINDS: Record<string, string> = {
  '/Pod': 'k8ts.core.Pod',
  '/PodTemplate': 'k8ts.core.PodTemplate',
  '/Binding': 'k8ts.core.Binding',
  '/ConfigMap': 'k8ts.core.ConfigMap',
  '/Secret': 'k8ts.core.Secret',
  '/Namespace': 'k8ts.core.Namespace',
  '/ServiceAccount': 'k8ts.core.ServiceAccount',
  '/Service': 'k8ts.core.Service',
  '/Node': 'k8ts.core.Node',
  '/Endpoints': 'k8ts.core.Endpoints',
  '/Event': 'k8ts.core.Event',
  '/PersistentVolumeClaim': 'k8ts.core.PersistentVolumeClaim',
  'apps/Deployment': 'k8ts.apps.Deployment',
  'apps/ReplicaSet': 'k8ts.apps.ReplicaSet',
  'apps/DaemonSet': 'k8ts.apps.DaemonSet',
  'apps/StatefulSet': 'k8ts.apps.StatefulSet',
  'batch/Job': 'k8ts.batch.Job',
  'batch/CronJob': 'k8ts.batch.CronJob',
  'policy/Eviction': 'k8ts.policy.Eviction',
  'policy/PodDisruptionBudget': 'k8ts.policy.PodDisruptionBudget',
  'autoscaling/Scale': 'k8ts.autoscaling.Scale',
};

let root: protobuf.Root | undefined;

/** The protobuf schema, parsed once. */
export function protoRoot(): protobuf.Root {
  if (!root) {
    const r = new protobuf.Root();
    for (const f of PROTO_FILES) protobuf.parse(readFileSync(PROTO_DIR + f, 'utf8'), r, { keepCase: true });
    r.resolveAll();
    root = r;
  }
  return root;
}

export function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/** The message type for apiVersion/kind, or undefined when this server has no protobuf schema for it. */
export function messageTypeFor(apiVersion: string, kind: string): protobuf.Type | undefined {
  // DeleteOptions is registered in every group version (and as meta.k8s.io/v1).
  const name = kind === 'DeleteOptions' ? 'k8ts.meta.DeleteOptions' : KINDS[`${groupOf(apiVersion)}/${kind}`];
  return name ? protoRoot().lookupType(name) : undefined;
}
