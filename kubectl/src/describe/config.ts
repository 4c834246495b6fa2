// The ConfigMap and Secret describers (data shown by key; a Secret's values only by size).
import { PrefixWriter, LEVEL_0 } from './writer.ts';
import { printLabelsMultiline, printAnnotationsMultiline, describeEvents } from './common.ts';

type Obj = Record<string, any>;

function header(w: PrefixWriter, m: Obj): void {
  w.write(LEVEL_0, `Name:\t${m.name}\n`);
  w.write(LEVEL_0, `Namespace:\t${m.namespace}\n`);
  printLabelsMultiline(w, 'Labels', m.labels);
  printAnnotationsMultiline(w, 'Annotations', m.annotations);
}

/** Bytes of a base64 value. */
function decodedLength(b64: string): number { return Buffer.from(b64, 'base64').length; }

export function describeConfigMap(cm: Obj, events: Obj[] | undefined): string {
  const w = new PrefixWriter();
  header(w, cm.metadata ?? {});
  w.write(LEVEL_0, '\nData\n====\n');
  for (const k of Object.keys(cm.data ?? {}).sort()) {
    w.write(LEVEL_0, `${k}:\n----\n`);
    w.write(LEVEL_0, `${cm.data[k]}\n`);
    w.write(LEVEL_0, '\n');
  }
  w.write(LEVEL_0, '\nBinaryData\n====\n');
  for (const k of Object.keys(cm.binaryData ?? {}).sort()) w.write(LEVEL_0, `${k}: ${decodedLength(cm.binaryData[k])} bytes\n`);
  w.write(LEVEL_0, '\n');
  describeEvents(w, events);
  return w.toString();
}

export function describeSecret(s: Obj): string {
  const w = new PrefixWriter();
  header(w, s.metadata ?? {});
  w.write(LEVEL_0, `\nType:\t${s.type ?? ''}\n`);
  w.write(LEVEL_0, '\nData\n====\n');
  for (const k of Object.keys(s.data ?? {}).sort()) {
    if (k === 'token' && s.type === 'kubernetes.io/service-account-token') w.write(LEVEL_0, `${k}:\t${Buffer.from(s.data[k], 'base64').toString()}\n`);
    else w.write(LEVEL_0, `${k}:\t${decodedLength(s.data[k])} bytes\n`);
  }
  return w.toString();
}
