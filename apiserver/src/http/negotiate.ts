// Content negotiation: what the Accept header asks for (Table, aggregated discovery) and body decoding.
import { parseDocument } from 'yaml';
import { kubeYamlOptions, yamlDocumentToJson } from '@k8ts/api/yaml.ts';
import { errors } from '@k8ts/api';
import { decodeProtobufObject, PROTOBUF_MEDIA_TYPE } from '@k8ts/api/protobuf/index.ts';

export interface MediaRange { type: string; params: Record<string, string> }

export function parseAccept(accept: string | undefined): MediaRange[] {
  if (!accept) return [];
  return accept.split(',').map((part) => {
    const [type, ...ps] = part.trim().split(';');
    const params: Record<string, string> = {};
    for (const p of ps) {
      const i = p.indexOf('=');
      if (i > 0) params[p.slice(0, i).trim()] = p.slice(i + 1).trim();
    }
    return { type: type.trim().toLowerCase(), params };
  });
}

/** True when the client prefers a meta.k8s.io Table (kubectl get). */
export function wantsTable(accept: string | undefined): boolean {
  return parseAccept(accept).some((m) => m.params.as === 'Table' && (m.params.g ?? 'meta.k8s.io') === 'meta.k8s.io');
}

/** The aggregated discovery version the client accepts first, if any ("v2" or "v2beta1"). */
export function aggregatedDiscovery(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  for (const m of parseAccept(accept)) {
    if (m.params.as === 'APIGroupDiscoveryList' && m.params.g === 'apidiscovery.k8s.io') {
      if (m.params.v === 'v2' || m.params.v === 'v2beta1') return m.params.v;
    }
  }
  return undefined;
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export function patchTypeOf(contentType: string | undefined): PatchType | undefined {
  const t = (contentType ?? '').split(';')[0].trim().toLowerCase();
  switch (t) {
    case 'application/json-patch+json': return 'json';
    case 'application/merge-patch+json': return 'merge';
    case 'application/strategic-merge-patch+json': return 'strategic';
    case 'application/apply-patch+yaml': return 'apply';
    default: return undefined;
  }
}

/** A YAML body as JSON, read as sigs.k8s.io/yaml reads it (go-yaml v2: YAML 1.1 scalars). */
function parseYamlBody(raw: string): unknown {
  const doc = parseDocument(raw, kubeYamlOptions);
  if (doc.errors.length) throw doc.errors[0];
  return yamlDocumentToJson(doc);
}

/**
 * Decodes a request body: JSON (also with no Content-Type, as kubectl sends some PUTs), YAML, or
 * Kubernetes protobuf (a Buffer, see server.ts) for the built-in kinds, returned in JSON shape.
 */
export function decodeBody(raw: string | Buffer | undefined, contentType: string | undefined): unknown {
  const t = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (raw === undefined || raw.length === 0) throw errors.badRequest('the request body is empty');
  if (t === PROTOBUF_MEDIA_TYPE) return decodeProtobufObject(typeof raw === 'string' ? Buffer.from(raw, 'latin1') : raw);
  if (typeof raw !== 'string') raw = raw.toString('utf8');
  if (t === 'application/yaml' || t === 'application/apply-patch+yaml') {
    try { return parseYamlBody(raw); } catch (e) { throw errors.badRequest(`error decoding YAML: ${(e as Error).message}`); }
  }
  if (t && t !== 'application/json' && !t.endsWith('+json') && t !== 'text/plain' && t !== '*/*' && t !== 'application/x-www-form-urlencoded') {
    throw errors.unsupportedMediaType(t);
  }
  try {
    return JSON.parse(raw);
  } catch (e) {
    throw errors.badRequest(`error decoding body: ${(e as Error).message}`);
  }
}
