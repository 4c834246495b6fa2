// Tables of nodes, services, namespaces, configmaps, secrets, service accounts, endpoints, events,
// leases and endpoint slices, with upstream's columns and cell values.
import { translateTimestampSince } from '../age.ts';
import { formatLabels } from '../labels.ts';
import { age, ageColumn, col, listWithMore, nameColumn } from './types.ts';
import type { KindTable, Obj, PrintOptions } from './types.ts';

const name = (o: Obj) => o.metadata?.name ?? '';

// ---- nodes ----

const labelNodeRolePrefix = 'node-role.kubernetes.io/';
const nodeLabelRole = 'kubernetes.io/role';

/** The node's roles from node-role.kubernetes.io/<role> and kubernetes.io/role labels, sorted. */
export function findNodeRoles(node: Obj): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries<string>(node.metadata?.labels ?? {})) {
    if (k.startsWith(labelNodeRolePrefix)) {
      const role = k.slice(labelNodeRolePrefix.length);
      if (role) roles.add(role);
    } else if (k === nodeLabelRole && v !== '') {
      roles.add(v);
    }
  }
  return [...roles].sort();
}

function nodeAddress(node: Obj, type: string): string {
  return (node.status?.addresses ?? []).find((a: Obj) => a.type === type)?.address ?? '<none>';
}

export const nodeTable: KindTable = {
  columns: [
    nameColumn,
    col('Status', 'string', 'The status of the node'),
    col('Roles', 'string', 'The roles of the node'),
    ageColumn,
    col('Version', 'string', 'Kubelet Version reported by the node.'),
    col('Internal-IP', 'string', 'List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This field is declared as mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can change during the lifetime of a Node. However, there are some exceptions where this may not be possible, such as Pods that inherit a Node\'s address in its own status or consumers of the downward API (status.hostIP).', 1),
    col('External-IP', 'string', 'List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This field is declared as mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can change during the lifetime of a Node. However, there are some exceptions where this may not be possible, such as Pods that inherit a Node\'s address in its own status or consumers of the downward API (status.hostIP).', 1),
    col('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', 1),
    col('Kernel-Version', 'string', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
    col('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', 1),
  ],
  print(o: Obj, opts: PrintOptions) {
    const status: string[] = [];
    const ready = (o.status?.conditions ?? []).filter((c: Obj) => c.type === 'Ready').pop();
    if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
    if (status.length === 0) status.push('Unknown');
    if (o.spec?.unschedulable) status.push('SchedulingDisabled');
    const roles = findNodeRoles(o).join(',') || '<none>';
    const info = o.status?.nodeInfo ?? {};
    const cells: unknown[] = [name(o), status.join(','), roles, age(o, opts), info.kubeletVersion ?? ''];
    if (opts.wide) {
      cells.push(nodeAddress(o, 'InternalIP'), nodeAddress(o, 'ExternalIP'), info.osImage || '<unknown>',
        info.kernelVersion || '<unknown>', info.containerRuntimeVersion || '<unknown>');
    }
    return { cells };
  },
};

// ---- services ----

const loadBalancerWidth = 16;

function loadBalancerStatusString(s: Obj | undefined, wide: boolean): string {
  const set = new Set<string>();
  for (const ing of s?.ingress ?? []) {
    if (ing.ip) set.add(ing.ip);
    else if (ing.hostname) set.add(ing.hostname);
  }
  let r = [...set].sort().join(',');
  if (!wide && r.length > loadBalancerWidth) r = r.slice(0, loadBalancerWidth - 3) + '...';
  return r;
}

function serviceExternalIP(svc: Obj, wide: boolean): string {
  const externalIPs: string[] = svc.spec?.externalIPs ?? [];
  switch (svc.spec?.type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerStatusString(svc.status?.loadBalancer, wide);
      if (externalIPs.length > 0) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return svc.spec?.externalName ?? '';
    default:
      return '<unknown>';
  }
}

/** "80/TCP,443:30443/TCP" (upstream makePortString). */
export function makePortString(ports: Obj[] | undefined): string {
  return (ports ?? []).map((p) => (p.nodePort > 0 ? `${p.port}:${p.nodePort}/${p.protocol ?? ''}` : `${p.port}/${p.protocol ?? ''}`)).join(',');
}

export const serviceTable: KindTable = {
  columns: [
    nameColumn,
    col('Type', 'string', 'type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer.'),
    col('Cluster-IP', 'string', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
    col('External-IP', 'string', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
    col('Port(s)', 'string', 'The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies'),
    ageColumn,
    col('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/', 1),
  ],
  print(o: Obj, opts: PrintOptions) {
    const clusterIPs: string[] = o.spec?.clusterIPs ?? (o.spec?.clusterIP ? [o.spec.clusterIP] : []);
    const ports = makePortString(o.spec?.ports) || '<none>';
    const cells: unknown[] = [name(o), o.spec?.type ?? '', clusterIPs[0] ?? '<none>', serviceExternalIP(o, opts.wide), ports, age(o, opts)];
    if (opts.wide) cells.push(formatLabels(o.spec?.selector));
    return { cells };
  },
};

// ---- simple kinds ----

export const namespaceTable: KindTable = {
  columns: [nameColumn, col('Status', 'string', 'The status of the namespace'), ageColumn],
  print: (o, opts) => ({ cells: [name(o), o.status?.phase ?? '', age(o, opts)] }),
};

export const configMapTable: KindTable = {
  columns: [nameColumn, col('Data', 'string', 'Data contains the configuration data. Each key must consist of alphanumeric characters, \'-\', \'_\' or \'.\'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.'), ageColumn],
  print: (o, opts) => ({ cells: [name(o), Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length, age(o, opts)] }),
};

export const secretTable: KindTable = {
  columns: [
    nameColumn,
    col('Type', 'string', 'Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types'),
    col('Data', 'string', 'Data contains the secret data. Each key must consist of alphanumeric characters, \'-\', \'_\' or \'.\'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4'),
    ageColumn,
  ],
  print: (o, opts) => ({ cells: [name(o), o.type ?? '', Object.keys(o.data ?? {}).length, age(o, opts)] }),
};

export const serviceAccountTable: KindTable = {
  columns: [nameColumn, col('Secrets', 'string', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a "kubernetes.io/enforce-mountable-secrets" annotation set to "true". The "kubernetes.io/enforce-mountable-secrets" annotation is deprecated since v1.32. Prefer separate namespaces to isolate access to mounted secrets. This field should not be used to find auto-generated service account token secrets for use outside of pods. Instead, tokens can be requested directly using the TokenRequest API, or service account token secrets can be manually created. More info: https://kubernetes.io/docs/concepts/configuration/secret'), ageColumn],
  print: (o, opts) => ({ cells: [name(o), (o.secrets ?? []).length, age(o, opts)] }),
};

export const leaseTable: KindTable = {
  columns: [nameColumn, col('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.'), ageColumn],
  print: (o, opts) => ({ cells: [name(o), o.spec?.holderIdentity ?? '', age(o, opts)] }),
};

// ---- endpoints ----

/** "10.0.0.1:80,10.0.0.2:80 + 3 more..." (upstream formatEndpoints with all ports). */
export function formatEndpoints(ep: Obj): string {
  const subsets: Obj[] = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  const hostPort = (ip: string, port: number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);
  for (const ss of subsets) {
    const addresses: Obj[] = ss.addresses ?? [];
    const ports: Obj[] = ss.ports ?? [];
    if (ports.length === 0) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(a.ip);
      }
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(hostPort(a.ip, port.port));
      }
    }
  }
  const s = list.join(',');
  return more ? `${s} + ${count - max} more...` : s;
}

export const endpointsTable: KindTable = {
  columns: [nameColumn, col('Endpoints', 'string', 'The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service.'), ageColumn],
  print: (o, opts) => ({ cells: [name(o), formatEndpoints(o), age(o, opts)] }),
};

export const endpointSliceTable: KindTable = {
  columns: [
    nameColumn,
    col('AddressType', 'string', 'addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation. The following address types are currently supported: * IPv4: Represents an IPv4 Address. * IPv6: Represents an IPv6 Address. * FQDN: Represents a Fully Qualified Domain Name.'),
    col('Ports', 'string', 'ports specifies the list of network ports exposed by each endpoint in this slice. Each port must have a unique name. When ports is empty, it indicates that there are no defined ports. When a port is defined with a nil port value, it indicates "all ports". Each slice may include a maximum of 100 ports.'),
    col('Endpoints', 'string', 'endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints.'),
    ageColumn,
  ],
  print(o: Obj, opts: PrintOptions) {
    const ports: Obj[] = o.ports ?? [];
    const portStrings = ports.map((p) => (p.port !== undefined && p.port !== null ? String(p.port) : p.name !== undefined && p.name !== null ? p.name : '*'));
    const addresses: string[] = [];
    for (const e of o.endpoints ?? []) for (const a of e.addresses ?? []) addresses.push(a);
    return { cells: [name(o), o.addressType ?? '', listWithMore(portStrings, ports.length), listWithMore(addresses, addresses.length), age(o, opts)] };
  },
};

// ---- events ----

function formatEventSource(source: Obj | undefined, reportingController: string | undefined, reportingInstance: string | undefined): string {
  const component = source?.component || reportingController || '';
  const instance = source?.host || reportingInstance || '';
  return instance ? `${component}, ${instance}` : component;
}

export const eventTable: KindTable = {
  columns: [
    col('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
    col('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
    col('Reason', 'string', 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
    col('Object', 'string', 'The object that this event is about.'),
    col('Subobject', 'string', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: "spec.containers{name}" (where "name" refers to the name of the container that triggered the event) or if no container name is specified "spec.containers[2]" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object.', 1),
    col('Source', 'string', 'The component reporting this event. Should be a short machine understandable string.', 1),
    col('Message', 'string', 'A human-readable description of the status of this operation.'),
    col('First Seen', 'string', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', 1),
    col('Count', 'string', 'The number of times this event has occurred.', 1),
    col('Name', 'string', 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of a name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names', 1, 'name'),
  ],
  print(o: Obj, opts: PrintOptions) {
    let firstSeen = translateTimestampSince(o.firstTimestamp, opts.now);
    if (!o.firstTimestamp) firstSeen = translateTimestampSince(o.eventTime, opts.now);
    let lastSeen = translateTimestampSince(o.lastTimestamp, opts.now);
    if (!o.lastTimestamp) lastSeen = firstSeen;
    let count = o.count ?? 0;
    if (o.series) {
      lastSeen = translateTimestampSince(o.series.lastObservedTime, opts.now);
      count = o.series.count ?? 0;
    } else if (count === 0) {
      count = 1;
    }
    const io = o.involvedObject ?? {};
    const target = io.name ? `${String(io.kind ?? '').toLowerCase()}/${io.name}` : String(io.kind ?? '').toLowerCase();
    const message = String(o.message ?? '').trim();
    if (opts.wide) {
      return { cells: [lastSeen, o.type ?? '', o.reason ?? '', target, io.fieldPath ?? '',
        formatEventSource(o.source, o.reportingComponent, o.reportingInstance), message, firstSeen, count, name(o)] };
    }
    return { cells: [lastSeen, o.type ?? '', o.reason ?? '', target, message] };
  },
};
