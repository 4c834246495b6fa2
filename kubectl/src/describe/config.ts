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

/**
 * The ServiceAccount describer: image pull, mountable and token secrets (tokens: service-account-token
 * secrets annotated with this account's name and uid); named secrets that do not exist are "(not found)".
 * `secrets` undefined: they could not be listed (nothing is marked missing).
 */
export function describeServiceAccount(sa: Obj, secrets: Obj[] | undefined, events: Obj[] | undefined): string {
  const w = new PrefixWriter();
  const m = sa.metadata ?? {};
  header(w, m);
  const existing = new Set((secrets ?? []).map((s) => s.metadata?.name));
  const tokens = (secrets ?? []).filter((s) => s.type === 'kubernetes.io/service-account-token'
    && s.metadata?.annotations?.['kubernetes.io/service-account.name'] === m.name
    && (s.metadata?.annotations?.['kubernetes.io/service-account.uid'] ?? '') === m.uid).map((s) => s.metadata.name as string);
  const missing = (name: string) => secrets !== undefined && !existing.has(name);
  const groups: [string, string[], boolean][] = [
    ['Image pull secrets:', (sa.imagePullSecrets ?? []).map((s: Obj) => s.name), true],
    ['Mountable secrets: ', (sa.secrets ?? []).map((s: Obj) => s.name), true],
    ['Tokens:             ', tokens, false],
  ];
  for (const [title, names, check] of groups) {
    if (!names.length) { w.write(LEVEL_0, `${title}\t<none>\n`); continue; }
    let prefix = title;
    for (const n of names) {
      w.write(LEVEL_0, `${prefix}\t${n}${check && missing(n) ? ' (not found)' : ''}\n`);
      prefix = '                   ';
    }
  }
  describeEvents(w, events);
  return w.toString();
}
