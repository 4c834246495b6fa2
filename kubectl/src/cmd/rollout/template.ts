// DescribePodTemplate written straight to a buffer (no tab alignment), as `rollout history --revision` prints it.
import { PrefixWriter, LEVEL_0, LEVEL_1 } from '../../describe/writer.ts';
import { printLabelsMultiline, printAnnotationsMultiline, printTolerationsMultiline, describeContainers, describeVolumes } from '../../describe/common.ts';
import type { Obj } from './objects.ts';

/** describe.NewPrefixWriter over a bytes.Buffer: indentation only, tabs left as they are. */
class RawPrefixWriter extends PrefixWriter {
  private text = '';
  override write(level: number, text: string): void { this.text += '  '.repeat(level) + text; }
  override writeLine(text: string): void { this.text += text + '\n'; }
  override flush(): void {}
  override toString(): string { return this.text; }
}

export function podTemplateText(t: Obj | undefined): string {
  const w = new RawPrefixWriter();
  w.write(LEVEL_0, 'Pod Template:\n');
  if (!t) { w.write(LEVEL_1, '<unset>'); return w.toString(); }
  printLabelsMultiline(w, '  Labels', t.metadata?.labels);
  if (t.metadata?.annotations && Object.keys(t.metadata.annotations).length) printAnnotationsMultiline(w, '  Annotations', t.metadata.annotations);
  const spec = t.spec ?? {};
  if (spec.serviceAccountName) w.write(LEVEL_1, `Service Account:\t${spec.serviceAccountName}\n`);
  if (spec.initContainers?.length) describeContainers(w, 'Init Containers', spec.initContainers, undefined, undefined, '  ');
  describeContainers(w, 'Containers', spec.containers, undefined, undefined, '  ');
  describeVolumes(w, spec.volumes, '  ');
  if (spec.priorityClassName) w.write(LEVEL_1, `Priority Class Name:\t${spec.priorityClassName}\n`);
  printLabelsMultiline(w, '  Node-Selectors', spec.nodeSelector);
  printTolerationsMultiline(w, '  Tolerations', spec.tolerations);
  return w.toString();
}
