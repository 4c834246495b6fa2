// apps/v1 workload validation: Deployment, ReplicaSet, DaemonSet, StatefulSet (pkg/apis/apps/validation).
import { field, type FieldError } from '../status.ts';
import { isValidPercent } from './names.ts';
import {
  isObj, list, selectorOf, semanticEqual, str, validateImmutableField, validateLabelSelector, validateNonnegative, type Obj,
} from './meta.ts';
import { validatePodTemplateSpec } from './pod.ts';

const labelsOf = (template: unknown): Record<string, string> =>
  (isObj(template) && isObj(template.metadata) && isObj(template.metadata.labels) ? template.metadata.labels : {}) as Record<string, string>;
const templateLabelsValue = (template: unknown) => (isObj(template) && isObj(template.metadata) ? template.metadata.labels ?? null : null);
const templateSpec = (template: unknown): Obj => (isObj(template) && isObj(template.spec) ? template.spec : {});

function intOrPercentValue(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^[0-9]+%$/.test(v)) return Number(v.slice(0, -1));
  return 0;
}

function validatePositiveIntOrPercent(v: unknown, path: string): FieldError[] {
  if (typeof v === 'string') return isValidPercent(v).map((m) => field.invalid(path, v, m));
  if (typeof v === 'number') return validateNonnegative(v, path);
  return [];
}

function isNotMoreThan100Percent(v: unknown, path: string): FieldError[] {
  return typeof v === 'string' && isValidPercent(v).length === 0 && intOrPercentValue(v) > 100
    ? [field.invalid(path, v, 'must not be greater than 100%')] : [];
}

/** ValidatePodTemplateSpecForReplicaSet: selector matches labels, template valid, restartPolicy Always. */
function validateTemplateForReplicas(template: unknown, selector: unknown, path: string, kind: string): FieldError[] {
  const errs: FieldError[] = [];
  if (template == null) return [field.required(path)];
  const sel = selectorOf(selector);
  if (!sel.empty && !sel.matches(labelsOf(template))) {
    errs.push(field.invalid(`${path}.metadata.labels`, templateLabelsValue(template), '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplateSpec(template, path));
  const spec = templateSpec(template);
  if (spec.restartPolicy !== 'Always') errs.push(field.notSupported(`${path}.spec.restartPolicy`, spec.restartPolicy ?? '', ['Always']));
  if (spec.activeDeadlineSeconds != null) {
    errs.push(field.invalid(`${path}.spec.activeDeadlineSeconds`, spec.activeDeadlineSeconds, `activeDeadlineSeconds in ${kind} is not Supported`));
  }
  return errs;
}

function validateSelectorRequired(selector: unknown, kind: string): FieldError[] {
  if (selector == null) return [field.required('spec.selector')];
  const errs = validateLabelSelector(selector, 'spec.selector');
  if (selectorOf(selector).empty) errs.push(field.invalid('spec.selector', selector, `empty selector is invalid for ${kind}`));
  return errs;
}

export function validateDeploymentSpec(d: Obj): FieldError[] {
  const spec = isObj(d.spec) ? d.spec : {};
  const errs = validateNonnegative(spec.replicas, 'spec.replicas');
  errs.push(...validateSelectorRequired(spec.selector, 'deployment'));
  errs.push(...validateTemplateForReplicas(spec.template, spec.selector, 'spec.template', 'ReplicaSet'));
  const strategy = isObj(spec.strategy) ? spec.strategy : {};
  switch (strategy.type) {
    case 'Recreate':
      if (strategy.rollingUpdate != null) errs.push(field.forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"));
      break;
    case 'RollingUpdate': {
      const ru = strategy.rollingUpdate;
      if (!isObj(ru)) { errs.push(field.required('spec.strategy.rollingUpdate', 'this should be defaulted and never be nil')); break; }
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, 'spec.strategy.rollingUpdate.maxUnavailable'));
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge, 'spec.strategy.rollingUpdate.maxSurge'));
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        errs.push(field.invalid('spec.strategy.rollingUpdate.maxUnavailable', ru.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'));
      }
      errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, 'spec.strategy.rollingUpdate.maxUnavailable'));
      break;
    }
    default:
      errs.push(field.notSupported('spec.strategy', strategy, ['Recreate', 'RollingUpdate']));
  }
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateNonnegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  if (spec.progressDeadlineSeconds != null) {
    errs.push(...validateNonnegative(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'));
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      errs.push(field.invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

export function validateReplicaSetSpec(rs: Obj): FieldError[] {
  const spec = isObj(rs.spec) ? rs.spec : {};
  const errs = validateNonnegative(spec.replicas, 'spec.replicas');
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateSelectorRequired(spec.selector, 'deployment'));
  errs.push(...validateTemplateForReplicas(spec.template, spec.selector, 'spec.template', 'ReplicaSet'));
  return errs;
}

export function validateDaemonSetSpec(ds: Obj): FieldError[] {
  const spec = isObj(ds.spec) ? ds.spec : {};
  const errs = validateLabelSelector(spec.selector, 'spec.selector');
  const sel = selectorOf(spec.selector);
  if (!sel.matches(labelsOf(spec.template))) {
    errs.push(field.invalid('spec.template.metadata.labels', templateLabelsValue(spec.template), '`selector` does not match template `labels`'));
  }
  if (spec.selector != null && sel.empty) errs.push(field.invalid('spec.selector', spec.selector, 'empty selector is invalid for daemonset'));
  errs.push(...validatePodTemplateSpec(spec.template, 'spec.template'));
  const tspec = templateSpec(spec.template);
  if (tspec.restartPolicy !== 'Always') errs.push(field.notSupported('spec.template.spec.restartPolicy', tspec.restartPolicy ?? '', ['Always']));
  if (tspec.activeDeadlineSeconds != null) {
    errs.push(field.invalid('spec.template.spec.activeDeadlineSeconds', tspec.activeDeadlineSeconds, 'activeDeadlineSeconds in DaemonSet is not Supported'));
  }
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  const us = isObj(spec.updateStrategy) ? spec.updateStrategy : {};
  switch (us.type) {
    case 'OnDelete':
      break;
    case 'RollingUpdate': {
      const ru = us.rollingUpdate;
      if (!isObj(ru)) { errs.push(field.required('spec.updateStrategy.rollingUpdate')); break; }
      const p = 'spec.updateStrategy.rollingUpdate';
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`));
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge, `${p}.maxSurge`));
      errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`));
      errs.push(...isNotMoreThan100Percent(ru.maxSurge, `${p}.maxSurge`));
      const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
      const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
      if (hasUnavailable && hasSurge) errs.push(field.invalid(`${p}.maxSurge`, ru.maxSurge, 'may not be set when maxUnavailable is non-zero'));
      else if (!hasUnavailable && !hasSurge) errs.push(field.required(`${p}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
      break;
    }
    default:
      errs.push(field.notSupported('spec.updateStrategy', us, ['RollingUpdate', 'OnDelete']));
  }
  errs.push(...validateNonnegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  return errs;
}

export function validateStatefulSetSpec(sts: Obj): FieldError[] {
  const spec = isObj(sts.spec) ? sts.spec : {};
  const errs: FieldError[] = [];
  switch (spec.podManagementPolicy ?? '') {
    case '': errs.push(field.required('spec.podManagementPolicy')); break;
    case 'OrderedReady': case 'Parallel': break;
    default: errs.push(field.invalid('spec.podManagementPolicy', spec.podManagementPolicy, "must be 'OrderedReady' or 'Parallel'"));
  }
  const us = isObj(spec.updateStrategy) ? spec.updateStrategy : {};
  switch (us.type ?? '') {
    case '': errs.push(field.required('spec.updateStrategy')); break;
    case 'OnDelete':
      if (us.rollingUpdate != null) errs.push(field.invalid('spec.updateStrategy.rollingUpdate', us.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
      break;
    case 'RollingUpdate':
      if (isObj(us.rollingUpdate)) {
        errs.push(...validateNonnegative(us.rollingUpdate.partition, 'spec.updateStrategy.rollingUpdate.partition'));
        if (us.rollingUpdate.maxUnavailable != null) {
          errs.push(...validatePositiveIntOrPercent(us.rollingUpdate.maxUnavailable, 'spec.updateStrategy.rollingUpdate.maxUnavailable'));
        }
      }
      break;
    default:
      errs.push(field.invalid('spec.updateStrategy', us, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  errs.push(...validateNonnegative(spec.replicas, 'spec.replicas'));
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateSelectorRequired(spec.selector, 'statefulset'));
  const sel = selectorOf(spec.selector);
  if (!sel.empty && !sel.matches(labelsOf(spec.template))) {
    errs.push(field.invalid('spec.template.metadata.labels', templateLabelsValue(spec.template), '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplateSpec(spec.template, 'spec.template'));
  const tspec = templateSpec(spec.template);
  if (tspec.restartPolicy !== 'Always') errs.push(field.notSupported('spec.template.spec.restartPolicy', tspec.restartPolicy ?? '', ['Always']));
  if (tspec.activeDeadlineSeconds != null) errs.push(field.forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in StatefulSet is not Supported'));
  list(spec.volumeClaimTemplates).forEach((pvc, i) => {
    if (!str(pvc.metadata?.name)) errs.push(field.required(`spec.volumeClaimTemplates[${i}].metadata.name`, 'name or generateName is required'));
  });
  return errs;
}

export function validateSelectorImmutable(obj: Obj, old: Obj): FieldError[] {
  return validateImmutableField(obj.spec?.selector, old.spec?.selector, 'spec.selector');
}

const statefulSetMutable = ['replicas', 'ordinals', 'template', 'updateStrategy', 'minReadySeconds', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy'];

export function validateStatefulSetUpdateSpec(sts: Obj, old: Obj): FieldError[] {
  const n = { ...(isObj(sts.spec) ? sts.spec : {}) };
  const o = { ...(isObj(old.spec) ? old.spec : {}) };
  for (const f of statefulSetMutable) { delete n[f]; delete o[f]; }
  return semanticEqual(n, o) ? [] : [field.forbidden('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")];
}
