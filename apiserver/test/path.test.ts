import { describe, expect, it } from 'vitest';
import { parseApiPath } from '../src/http/path.ts';

const res = (url: string) => {
  const p = parseApiPath(url);
  return p.kind === 'resource' ? { resource: p.path.info.resource, namespace: p.path.namespace, name: p.path.name, subresource: p.path.subresource } : p;
};

describe('parseApiPath', () => {
  it('namespaced and cluster-scoped resources, names, subresources; queries and trailing slashes ignored', () => {
    expect(res('/api/v1/namespaces/default/pods')).toEqual({ resource: 'pods', namespace: 'default', name: undefined, subresource: undefined });
    expect(res('/api/v1/namespaces/default/pods/web-1/status?dryRun=All')).toEqual({ resource: 'pods', namespace: 'default', name: 'web-1', subresource: 'status' });
    expect(res('/apis/apps/v1/namespaces/x/deployments/d/scale//')).toEqual({ resource: 'deployments', namespace: 'x', name: 'd', subresource: 'scale' });
    expect(res('/api/v1/nodes/n1?watch=true')).toEqual({ resource: 'nodes', namespace: undefined, name: 'n1', subresource: undefined });
    expect(res('/api/v1/namespaces/kube-system')).toEqual({ resource: 'namespaces', namespace: undefined, name: 'kube-system', subresource: undefined });
    expect(res('/api/v1/pods')).toEqual({ resource: 'pods', namespace: undefined, name: undefined, subresource: undefined });
  });

  it('decodes escaped segments', () => {
    expect(res('/api/v1/namespaces/default/configmaps/a%3Ab')).toMatchObject({ name: 'a:b' });
  });

  it('roots, groups and versions; unknown paths', () => {
    expect(parseApiPath('/api')).toEqual({ kind: 'root' });
    expect(parseApiPath('/apis/')).toEqual({ kind: 'root' });
    expect(parseApiPath('/apis/apps')).toEqual({ kind: 'group', group: 'apps' });
    expect(parseApiPath('/api/v1?timeout=32s')).toEqual({ kind: 'groupVersion', group: '', version: 'v1' });
    expect(parseApiPath('/apis/nope.io/v1/things').kind).toBe('unknown');
    expect(parseApiPath('/api/v1/namespaces/default/pods/a/status/extra').kind).toBe('unknown');
    expect(parseApiPath('/api/v1//pods').kind).toBe('unknown');
    expect(parseApiPath('/healthz').kind).toBe('unknown');
  });
});
