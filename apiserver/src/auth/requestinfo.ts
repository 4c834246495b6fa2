// Request attributes for authorization, derived from the method and URL as upstream's RequestInfoFactory:
// /api/v1/..., /apis/<group>/<version>/..., namespaces, names, subresources, and list/watch/deletecollection.

export interface RequestAttributes {
  /** get, list, watch, create, update, patch, delete, deletecollection; lower-case HTTP method for non-resource paths. */
  verb: string;
  path: string;
  isResourceRequest: boolean;
  apiGroup?: string;
  apiVersion?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

const apiPrefixes = new Set(['api', 'apis']);
const specialVerbs = new Set(['proxy', 'watch']);
const namespaceSubresources = new Set(['status', 'finalize']);

const methodVerbs: Record<string, string> = { POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

function truthy(v: string | null): boolean {
  return v !== null && ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v);
}

/** `url` is the request target (path and query), e.g. `/api/v1/namespaces/default/pods?watch=true`. */
export function requestAttributes(method: string, url: string): RequestAttributes {
  const u = new URL(url, 'http://localhost');
  const path = safeDecode(u.pathname);
  const nonResource: RequestAttributes = { verb: method.toLowerCase(), path, isResourceRequest: false };
  let parts = path.split('/').filter((p) => p !== '');
  if (parts.length < 3 || !apiPrefixes.has(parts[0])) return nonResource;
  const prefix = parts[0];
  parts = parts.slice(1);
  let apiGroup = '';
  if (prefix === 'apis') {
    if (parts.length < 3) return nonResource;
    apiGroup = parts[0];
    parts = parts.slice(1);
  }
  const apiVersion = parts[0];
  parts = parts.slice(1);

  let verb: string;
  if (specialVerbs.has(parts[0])) {
    if (parts.length < 2) return nonResource; // upstream: cannot determine kind and namespace
    verb = parts[0];
    parts = parts.slice(1);
  } else {
    verb = methodVerbs[method.toUpperCase()] ?? '';
  }

  let namespace = '';
  if (parts[0] === 'namespaces') {
    if (parts.length > 1) {
      namespace = parts[1];
      if (parts.length > 2 && !namespaceSubresources.has(parts[2])) parts = parts.slice(2);
    }
  }

  const attrs: RequestAttributes = { verb, path, isResourceRequest: true, apiGroup, apiVersion, resource: parts[0] };
  if (parts.length >= 2) attrs.name = parts[1];
  if (parts.length >= 3 && verb !== 'proxy') attrs.subresource = parts[2];
  if (namespace) attrs.namespace = namespace;

  if (!attrs.name && verb === 'get') {
    attrs.verb = truthy(u.searchParams.get('watch')) ? 'watch' : 'list';
    const fieldSelector = u.searchParams.get('fieldSelector');
    const name = fieldSelector ? exactMetadataName(fieldSelector) : undefined;
    if (name) attrs.name = name;
  }
  if (!attrs.name && attrs.verb === 'delete') attrs.verb = 'deletecollection';
  return attrs;
}

/** `metadata.name=x` (or `==`) as the only requirement of a field selector that pins one name. */
function exactMetadataName(selector: string): string | undefined {
  const terms = selector.split(',');
  for (const t of terms) {
    const m = /^\s*metadata\.name\s*(==|=)\s*(.*?)\s*$/.exec(t);
    if (m && m[2] && m[2] !== '.' && m[2] !== '..' && !/[/%]/.test(m[2])) return m[2];
  }
  return undefined;
}

function safeDecode(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}
