// validateCreate / validateUpdate: upstream 1.32 semantics, field paths and messages for every kind k8ts
// serves. Call after setDefaults (as upstream validates defaulted objects).
import type { KubeObject } from '../object.ts';
import type { FieldError } from '../status.ts';
import {
  isObj, nameIsDNS1035Label, nameIsDNSLabel, nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate, type NameFn, type Obj,
} from './meta.ts';
import { validatePodCreateSpec, validatePodSpec, validatePodSpecUpdate } from './pod.ts';
import { validateServiceSpec, validateServiceUpdateSpec } from './service.ts';
import {
  validateDaemonSetSpec, validateDeploymentSpec, validateReplicaSetSpec, validateSelectorImmutable, validateStatefulSetSpec,
  validateStatefulSetUpdateSpec,
} from './apps.ts';
import { generateJobSelector, validateJobSpec, validateJobUpdateSpec } from './batch.ts';
import {
  validateBinding, validateConfigMapData, validateDeleteOptions, validateEndpointSlice, validateEndpoints, validateEvent,
  validateEndpointSliceUpdate, validateImmutableData, validateLeaseSpec, validateNamespaceSpec, validateNodeSpec, validateNodeUpdateSpec,
  validateSecretData,
} from './core.ts';

export * from './names.ts';
export {
  validateObjectMeta, validateObjectMetaUpdate, validateLabels, validateAnnotations, validateLabelSelector, selectorOf,
  nameIsDNSSubdomain, nameIsDNSLabel, nameIsDNS1035Label, fillSystemFieldsForUpdate, type NameFn,
} from './meta.ts';
export { validatePodSpec, validatePodTemplateSpec, validateResourceRequirements, validateTolerations, FieldValueNotFound, notFound } from './pod.ts';
export { generateJobSelector, JobNameLabel, ControllerUidLabel, LegacyJobNameLabel, LegacyControllerUidLabel } from './batch.ts';
export { validateBinding, validateDeleteOptions } from './core.ts';
export { patchAllocatedValues } from './service.ts';

interface KindRules {
  namespaced: boolean;
  name: NameFn;
  /** Validation of everything but metadata, on create (and on update: the new object). */
  spec?: (o: Obj) => FieldError[];
  /** Extra update rules (immutability), given new and old. */
  update?: (o: Obj, old: Obj) => FieldError[];
  /** Pods validate their spec differently on create. */
  create?: (o: Obj) => FieldError[];
}

const rules: Record<string, KindRules> = {
  'v1/Namespace': { namespaced: false, name: nameIsDNSLabel, spec: validateNamespaceSpec },
  'v1/Pod': { namespaced: true, name: nameIsDNSSubdomain, create: validatePodCreateSpec, spec: (p) => validatePodSpec(p.spec, 'spec'), update: validatePodSpecUpdate },
  'v1/Node': { namespaced: false, name: nameIsDNSSubdomain, spec: validateNodeSpec, update: validateNodeUpdateSpec },
  'v1/Service': { namespaced: true, name: nameIsDNS1035Label, spec: validateServiceSpec, update: validateServiceUpdateSpec },
  'v1/Endpoints': { namespaced: true, name: nameIsDNSSubdomain, spec: validateEndpoints },
  'v1/ConfigMap': { namespaced: true, name: nameIsDNSSubdomain, spec: validateConfigMapData, update: validateImmutableData },
  'v1/Secret': {
    namespaced: true, name: nameIsDNSSubdomain, spec: validateSecretData,
    update: (o, old) => [
      ...(String(o.type ?? '') !== String(old.type ?? '') ? [{ type: 'FieldValueInvalid' as const, field: 'type', value: o.type ?? '', detail: 'field is immutable' }] : []),
      ...validateImmutableData(o, old),
    ],
  },
  'v1/ServiceAccount': { namespaced: true, name: nameIsDNSSubdomain },
  'v1/Event': { namespaced: true, name: nameIsDNSSubdomain, spec: validateEvent },
  'v1/Binding': { namespaced: true, name: nameIsDNSSubdomain, spec: validateBinding },
  'apps/v1/Deployment': { namespaced: true, name: nameIsDNSSubdomain, spec: validateDeploymentSpec, update: validateSelectorImmutable },
  'apps/v1/ReplicaSet': { namespaced: true, name: nameIsDNSSubdomain, spec: validateReplicaSetSpec, update: validateSelectorImmutable },
  'apps/v1/DaemonSet': { namespaced: true, name: nameIsDNSSubdomain, spec: validateDaemonSetSpec, update: validateSelectorImmutable },
  'apps/v1/StatefulSet': { namespaced: true, name: nameIsDNSSubdomain, spec: validateStatefulSetSpec, update: validateStatefulSetUpdateSpec },
  'batch/v1/Job': { namespaced: true, name: nameIsDNSSubdomain, spec: validateJobSpec, update: validateJobUpdateSpec },
  'coordination.k8s.io/v1/Lease': { namespaced: true, name: nameIsDNSSubdomain, spec: validateLeaseSpec },
  'discovery.k8s.io/v1/EndpointSlice': { namespaced: true, name: nameIsDNSSubdomain, spec: validateEndpointSlice, update: validateEndpointSliceUpdate },
};

const kindKey = (o: KubeObject) => `${o.apiVersion}/${o.kind}`;

/** Options and subresource bodies (Eviction, Scale, DeleteOptions) carry no ObjectMeta rules of their own. */
function validateOption(o: Obj): FieldError[] | undefined {
  switch (kindKey(o as KubeObject)) {
    case 'v1/DeleteOptions':
    case 'meta.k8s.io/v1/DeleteOptions':
      return validateDeleteOptions(o);
    case 'policy/v1/Eviction':
      return isObj(o.deleteOptions) ? validateDeleteOptions(o.deleteOptions).map((e) => ({ ...e, field: `deleteOptions.${e.field}` })) : [];
    case 'autoscaling/v1/Scale':
      return typeof o.spec?.replicas === 'number' && o.spec.replicas < 0
        ? [{ type: 'FieldValueInvalid', field: 'spec.replicas', value: o.spec.replicas, detail: 'must be greater than or equal to 0' }] : [];
    default:
      return undefined;
  }
}

/**
 * Validates an object about to be created. Unknown kinds get only the ObjectMeta checks (namespaced).
 * For a Job without manualSelector this first generates the selector and template labels from
 * metadata.uid, as upstream's Job strategy does (so set the uid before calling).
 */
export function validateCreate(obj: KubeObject): FieldError[] {
  const o = obj as Obj;
  const option = validateOption(o);
  if (option) return option;
  const r = rules[kindKey(obj)];
  if (!r) return validateObjectMeta(obj.metadata, true, nameIsDNSSubdomain);
  if (kindKey(obj) === 'batch/v1/Job') generateJobSelector(o);
  return [
    ...validateObjectMeta(obj.metadata, r.namespaced, r.name),
    ...(r.create ? r.create(o) : r.spec ? r.spec(o) : []),
  ];
}

/** Validates an update of `old` to `obj` (both defaulted): metadata rules, the new object, immutability. */
export function validateUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const o = obj as Obj;
  const option = validateOption(o);
  if (option) return option;
  const r = rules[kindKey(obj)];
  const errs = validateObjectMetaUpdate(obj.metadata, old.metadata);
  if (!r) return errs;
  errs.push(...validateObjectMeta(obj.metadata, r.namespaced, r.name).filter((e) => !errs.some((x) => x.field === e.field && x.type === e.type && x.detail === e.detail)));
  if (r.spec) errs.push(...r.spec(o));
  if (r.update) errs.push(...r.update(o, old as Obj));
  return dedupe(errs);
}

/**
 * Joins error lists (e.g. checkSchema's and validateCreate's) dropping repeats, as upstream's
 * ErrorList.ToAggregate drops errors with the same message.
 */
export function mergeFieldErrors(...lists: FieldError[][]): FieldError[] {
  return dedupe(lists.flat());
}

function dedupe(errs: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errs.filter((e) => {
    const k = JSON.stringify([e.type === 'FieldValueTypeInvalid' ? 'FieldValueInvalid' : e.type, e.field, e.value, e.detail, e.supported]);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
