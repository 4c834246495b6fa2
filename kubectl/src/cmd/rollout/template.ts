// DescribePodTemplate written straight to a buffer (no tab alignment), as `rollout history --revision` prints it.
import { PrefixWriter } from '../../describe/writer.ts';
import { describePodTemplate } from '../../describe/describers.ts';
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
  describePodTemplate(w, t);
  return w.toString();
}
