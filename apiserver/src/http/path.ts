// Parses Kubernetes REST paths into resource, namespace, name and subresource.
import { lookupResource, resources, type ResourceInfo } from '@k8ts/api';

export interface ResourcePath {
  info: ResourceInfo;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export type ApiPath =
  | { kind: 'root'; group?: undefined }                         // /api or /apis
  | { kind: 'group'; group: string }                            // /apis/<group>
  | { kind: 'groupVersion'; group: string; version: string }    // /api/v1, /apis/<g>/<v>
  | { kind: 'resource'; path: ResourcePath }
  | { kind: 'unknown' };

const served = new Set(resources.map((r) => `${r.group}/${r.version}`));

export function parseApiPath(url: string): ApiPath {
  const q = url.indexOf('?');
  let end = q < 0 ? url.length : q;
  while (end > 0 && url.charCodeAt(end - 1) === 47 /* / */) end--;
  const path = url.slice(0, end);
  const seg = path.split('/').slice(1);
  // Escapes are rare in API paths: decode only when there is one.
  if (path.includes('%')) for (let i = 0; i < seg.length; i++) seg[i] = decodeURIComponent(seg[i]);
  let group: string;
  let version: string;
  let rest: string[];
  if (seg[0] === 'api') {
    if (seg.length === 1) return { kind: 'root' };
    group = '';
    version = seg[1];
    rest = seg.slice(2);
  } else if (seg[0] === 'apis') {
    if (seg.length === 1) return { kind: 'root' };
    if (seg.length === 2) return resources.some((r) => r.group === seg[1]) ? { kind: 'group', group: seg[1] } : { kind: 'unknown' };
    group = seg[1];
    version = seg[2];
    rest = seg.slice(3);
  } else return { kind: 'unknown' };
  if (!served.has(`${group}/${version}`)) return { kind: 'unknown' };
  if (rest.length === 0) return { kind: 'groupVersion', group, version };
  if (rest.some((s) => s === '')) return { kind: 'unknown' };
  // /namespaces/<ns>/<resource>[/<name>[/<sub>]] when <resource> is namespaced.
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const info = lookupResource(group, version, rest[2]);
    if (info?.namespaced) {
      if (rest.length > 5) return { kind: 'unknown' };
      return { kind: 'resource', path: { info, namespace: rest[1], name: rest[3], subresource: rest[4] } };
    }
  }
  const info = lookupResource(group, version, rest[0]);
  if (!info || rest.length > 3) return { kind: 'unknown' };
  if (info.namespaced && rest.length > 1) return { kind: 'unknown' };
  return { kind: 'resource', path: { info, name: rest[1], subresource: rest[2] } };
}
