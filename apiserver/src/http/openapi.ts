// /openapi/v3: the root listing and one document per group version (from @k8ts/api's schemas).
import { createHash } from 'node:crypto';
import { groupVersions } from '@k8ts/api';
import { openapiV3Document } from '@k8ts/api/schema/index.ts';

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

const docs = new Map<string, { body: string; hash: string }>();

export function openapiDoc(path: string): { body: string; hash: string } | undefined {
  let d = docs.get(path);
  if (d) return d;
  const gv = groupVersions().find((x) => gvPath(x.group, x.version) === path);
  if (!gv) return undefined;
  const body = JSON.stringify(openapiV3Document(gv.group, gv.version));
  d = { body, hash: createHash('sha512').update(body).digest('hex').slice(0, 64).toUpperCase() };
  docs.set(path, d);
  return d;
}

export function openapiRoot() {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of groupVersions()) {
    const p = gvPath(gv.group, gv.version);
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${openapiDoc(p)!.hash}` };
  }
  return { paths };
}
