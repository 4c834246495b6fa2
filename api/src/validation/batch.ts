// batch/v1 Job validation (pkg/apis/batch/validation) and the selector the Job strategy generates.
import { field, type FieldError } from '../status.ts';
import { isObj, selectorOf, str, validateImmutableField, validateLabelSelector, validateNonnegative, type Obj } from './meta.ts';
import { validatePodTemplateSpec } from './pod.ts';

export const LegacyJobNameLabel = 'job-name';
export const JobNameLabel = 'batch.kubernetes.io/job-name';
export const LegacyControllerUidLabel = 'controller-uid';
export const ControllerUidLabel = 'batch.kubernetes.io/controller-uid';

/**
 * What upstream's Job strategy does before validating a Job without manualSelector: label the pod
 * template with the job name and uid and select `batch.kubernetes.io/controller-uid=<uid>`. Mutates job.
 */
export function generateJobSelector(job: Obj): void {
  if (job.spec?.manualSelector === true) return;
  const uid = str(job.metadata?.uid);
  const name = str(job.metadata?.name);
  const spec = isObj(job.spec) ? job.spec : (job.spec = {});
  const template = isObj(spec.template) ? spec.template : (spec.template = {});
  const meta = isObj(template.metadata) ? template.metadata : (template.metadata = {});
  const labels = isObj(meta.labels) ? meta.labels : (meta.labels = {});
  for (const k of [LegacyJobNameLabel, JobNameLabel]) if (!(k in labels)) labels[k] = name;
  for (const k of [LegacyControllerUidLabel, ControllerUidLabel]) if (!(k in labels)) labels[k] = uid;
  const sel = isObj(spec.selector) ? spec.selector : (spec.selector = {});
  const ml = isObj(sel.matchLabels) ? sel.matchLabels : (sel.matchLabels = {});
  if (!(ControllerUidLabel in ml)) ml[ControllerUidLabel] = uid;
}

export function validateJobSpec(job: Obj): FieldError[] {
  const spec = isObj(job.spec) ? job.spec : {};
  const errs: FieldError[] = [];
  if (spec.manualSelector !== true && !str(job.metadata?.uid)) errs.push(field.required('metadata.uid'));
  for (const f of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished']) {
    errs.push(...validateNonnegative(spec[f], `spec.${f}`));
  }
  if (spec.completionMode != null && !['NonIndexed', 'Indexed'].includes(spec.completionMode)) {
    errs.push(field.notSupported('spec.completionMode', spec.completionMode, ['NonIndexed', 'Indexed']));
  }
  if (spec.completionMode === 'Indexed' && spec.completions == null) errs.push(field.required('spec.completions', 'when completion mode is Indexed'));
  if (spec.podReplacementPolicy != null) {
    if (!['TerminatingOrFailed', 'Failed'].includes(spec.podReplacementPolicy)) {
      errs.push(field.notSupported('spec.podReplacementPolicy', spec.podReplacementPolicy, ['TerminatingOrFailed', 'Failed']));
    } else if (spec.podReplacementPolicy === 'TerminatingOrFailed' && spec.podFailurePolicy != null) {
      errs.push(field.notSupported('spec.podReplacementPolicy', spec.podReplacementPolicy, ['Failed']));
    }
  }
  errs.push(...validatePodTemplateSpec(spec.template, 'spec.template'));
  const rp = isObj(spec.template) && isObj(spec.template.spec) ? spec.template.spec.restartPolicy : undefined;
  if (rp !== 'OnFailure' && rp !== 'Never') errs.push(field.required('spec.template.spec.restartPolicy', 'valid values: "OnFailure", "Never"'));
  if (spec.selector == null) errs.push(field.required('spec.selector'));
  else errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  const sel = selectorOf(spec.selector);
  const labels = isObj(spec.template?.metadata?.labels) ? spec.template.metadata.labels : {};
  if (spec.selector != null && !sel.matches(labels)) {
    errs.push(field.invalid('spec.template.metadata.labels', spec.template?.metadata?.labels ?? null, '`selector` does not match template `labels`'));
  }
  return errs;
}

export function validateJobUpdateSpec(job: Obj, old: Obj): FieldError[] {
  const n = isObj(job.spec) ? job.spec : {};
  const o = isObj(old.spec) ? old.spec : {};
  const errs: FieldError[] = [];
  errs.push(...validateImmutableField(n.selector, o.selector, 'spec.selector'));
  errs.push(...validateImmutableField(n.template, o.template, 'spec.template'));
  errs.push(...validateImmutableField(n.completionMode, o.completionMode, 'spec.completionMode'));
  if (n.completionMode !== 'Indexed' || n.completions !== n.parallelism) {
    errs.push(...validateImmutableField(n.completions, o.completions, 'spec.completions'));
  }
  errs.push(...validateImmutableField(n.podFailurePolicy, o.podFailurePolicy, 'spec.podFailurePolicy'));
  errs.push(...validateImmutableField(n.backoffLimitPerIndex, o.backoffLimitPerIndex, 'spec.backoffLimitPerIndex'));
  errs.push(...validateImmutableField(n.manualSelector, o.manualSelector, 'spec.manualSelector'));
  return errs;
}
