// The real kubectl 1.32 sends typed-client bodies as application/vnd.kubernetes.protobuf. These tests
// run it against the API server and check (1) the commands succeed with upstream's output, (2) the bytes
// kubectl sent (from its -v=9 hex dump) decode to exactly the JSON kubectl prints for the same command
// with -o json --dry-run=client, and (3) the stored object equals the one stored when that JSON is
// created through the JSON path (kubectl create -f), apart from name, uid, resourceVersion and timestamps.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtobufObject } from '@k8ts/api/protobuf/index.ts';
import { startTestServer, type TestServer } from './harness.ts';

let s: TestServer;
let work: string;
let binFile: string;
beforeAll(async () => {
  s = await startTestServer({ storage: 'memory' });
  work = mkdtempSync(join(tmpdir(), 'k8ts-kubectl-pb-'));
  binFile = join(work, 'blob.bin');
  writeFileSync(binFile, Uint8Array.of(0, 1, 2, 0xff, 0xfe, 0x80, 10));
});
afterAll(async () => {
  await s?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

interface Run { code: number; stdout: string; stderr: string }

function kubectl(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile('kubectl', ['--kubeconfig', s.kubeconfig, '--cache-dir', join(work, 'cache'), ...args], { timeout: 30_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** The binary request bodies client-go logged at -v=9 as hex dumps (JSON bodies are logged as text). */
function protobufBodies(stderr: string): Uint8Array[] {
  const bodies: Uint8Array[] = [];
  const lines = stderr.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].includes('"Request Body" body=<')) continue;
    const bytes: number[] = [];
    for (i++; i < lines.length && !lines[i].trim().startsWith('>'); i++) {
      const m = /^\s*[0-9a-f]{8}\s+(.*?)\s*\|/.exec(lines[i]);
      if (!m) continue;
      for (const h of m[1].trim().split(/\s+/)) if (h) bytes.push(parseInt(h, 16));
    }
    if (bytes.length > 0) bodies.push(Uint8Array.from(bytes));
  }
  return bodies;
}

const SERVER_SET = ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields', 'name'];

/** The object without what the server sets or what differs by design between the two creations. */
function comparable(obj: any, otherName: string, name: string): any {
  // Server-generated values derived from the uid (the Job selector) are compared as "UID".
  const o = JSON.parse(JSON.stringify(obj).split(obj.metadata.uid).join('UID').split(otherName).join(name));
  for (const k of SERVER_SET) delete o.metadata[k];
  delete o.status;
  // Allocated by the server for each Service.
  if (o.spec?.clusterIP) { delete o.spec.clusterIP; delete o.spec.clusterIPs; }
  if (o.kind === 'Service') for (const p of o.spec.ports ?? []) delete p.nodePort;
  return o;
}

async function get(path: string): Promise<any> {
  const r = await s.req('GET', path);
  expect(r.status, r.text).toBe(200);
  return r.json;
}

// `body`: what kubectl 1.32 sends for the command (typed clients send protobuf, the dynamic client JSON).
interface Case { args: string[]; out: string; path: (name: string) => string; name: string; body?: 'json' }

/** The command's arguments with `extra` flags put before a `--` separator. */
function withFlags(args: string[], ...extra: string[]): string[] {
  const i = args.indexOf('--');
  return i < 0 ? [...args, ...extra] : [...args.slice(0, i), ...extra, ...args.slice(i)];
}

const cases: Case[] = [
  { name: 'cm1', args: ['create', 'configmap', 'cm1', '--from-literal=a=b', '--from-literal=c=d'], out: 'configmap/cm1 created', path: (n) => `/api/v1/namespaces/default/configmaps/${n}` },
  { name: 's1', args: ['create', 'secret', 'generic', 's1', '--from-literal=user=admin', '--from-literal=pw=s3cr3t!'], out: 'secret/s1 created', path: (n) => `/api/v1/namespaces/default/secrets/${n}` },
  { name: 'ns1', args: ['create', 'namespace', 'ns1'], out: 'namespace/ns1 created', path: (n) => `/api/v1/namespaces/${n}` },
  { name: 'sa1', args: ['create', 'serviceaccount', 'sa1'], out: 'serviceaccount/sa1 created', path: (n) => `/api/v1/namespaces/default/serviceaccounts/${n}` },
  { name: 'web', args: ['create', 'deployment', 'web', '--image=nginx:1.25', '--port=80', '--replicas=2'], out: 'deployment.apps/web created', path: (n) => `/apis/apps/v1/namespaces/default/deployments/${n}` },
  { name: 'zero', args: ['create', 'deployment', 'zero', '--image=nginx', '--replicas=0'], out: 'deployment.apps/zero created', path: (n) => `/apis/apps/v1/namespaces/default/deployments/${n}` },
  { name: 'j1', args: ['create', 'job', 'j1', '--image=busybox', '--', 'sh', '-c', 'echo hi'], out: 'job.batch/j1 created', path: (n) => `/apis/batch/v1/namespaces/default/jobs/${n}` },
  { name: 'svc1', args: ['create', 'service', 'clusterip', 'svc1', '--tcp=80:8080', '--tcp=443:https'], out: 'service/svc1 created', path: (n) => `/api/v1/namespaces/default/services/${n}` },
  { name: 'bin', args: ['create', 'configmap', 'bin', '--from-file=blob=BIN', '--from-literal=t=x'], out: 'configmap/bin created', path: (n) => `/api/v1/namespaces/default/configmaps/${n}` },
  { name: 'reg', args: ['create', 'secret', 'docker-registry', 'reg', '--docker-server=r.example', '--docker-username=u', '--docker-password=p'], out: 'secret/reg created', path: (n) => `/api/v1/namespaces/default/secrets/${n}` },
  { name: 'np', args: ['create', 'service', 'nodeport', 'np', '--tcp=5678:8080'], out: 'service/np created', path: (n) => `/api/v1/namespaces/default/services/${n}` },
  { name: 'ext', args: ['create', 'service', 'externalname', 'ext', '--external-name=db.example.com'], out: 'service/ext created', path: (n) => `/api/v1/namespaces/default/services/${n}` },
  { name: 'multi', args: ['create', 'deployment', 'multi', '--image=nginx', '--image=busybox'], out: 'deployment.apps/multi created', path: (n) => `/apis/apps/v1/namespaces/default/deployments/${n}` },
  { name: 'p1', args: ['run', 'p1', '--image=nginx:1.25', '--port=80', '--env=A=B', '--labels=app=p1,tier=web', '--restart=Never', '--command', '--', 'nginx', '-g', 'daemon off;'], out: 'pod/p1 created', body: 'json', path: (n) => `/api/v1/namespaces/default/pods/${n}` },
  { name: 'web-svc', args: ['expose', 'deployment', 'web', '--port=8080', '--target-port=80', '--name=web-svc'], out: 'service/web-svc exposed', body: 'json', path: (n) => `/api/v1/namespaces/default/services/${n}` },
];

describe('real kubectl sending protobuf bodies', () => {
  for (const c of cases) {
    it(`kubectl ${c.args.slice(0, 3).join(' ')}`, async () => {
      c.args = c.args.map((a) => a.replace('=BIN', `=${binFile}`));
      const dry = await kubectl(...withFlags(c.args, '-o', 'json', '--dry-run=client'));
      expect(dry.code, dry.stderr).toBe(0);
      const expected = JSON.parse(dry.stdout);

      const r = await kubectl(...withFlags(c.args, '-v=9'));
      expect(r.code, r.stderr.slice(-2000)).toBe(0);
      expect(r.stdout.trim()).toBe(c.out);
      if (c.body === 'json') {
        expect(r.stderr).toContain('-H "Content-Type: application/json"');
        expect(r.stderr).not.toContain('-H "Content-Type: application/vnd.kubernetes.protobuf"');
      } else {
        expect(r.stderr).toContain('-H "Content-Type: application/vnd.kubernetes.protobuf"');
        const bodies = protobufBodies(r.stderr);
        expect(bodies.length).toBeGreaterThan(0);
        // What kubectl sent is, decoded, exactly what it prints for the same object.
        expect(decodeProtobufObject(bodies[bodies.length - 1])).toEqual(expected);
      }

      // The same object through the JSON path stores the same thing.
      const jsonName = `${c.name}-json`;
      const viaJSON = JSON.parse(dry.stdout);
      viaJSON.metadata.name = jsonName;
      const f = join(work, `${c.name}.json`);
      writeFileSync(f, JSON.stringify(viaJSON));
      const rj = await kubectl('create', '-f', f);
      expect(rj.code, rj.stderr).toBe(0);
      const stored = await get(c.path(c.name));
      const storedJSON = await get(c.path(jsonName));
      expect(stored.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(comparable(stored, jsonName, c.name)).toEqual(comparable(storedJSON, jsonName, c.name));
    }, 60_000);
  }

  it('stores what the commands asked for', async () => {
    const cm = await get('/api/v1/namespaces/default/configmaps/cm1');
    expect(cm.data).toEqual({ a: 'b', c: 'd' });
    const sec = await get('/api/v1/namespaces/default/secrets/s1');
    expect(sec.type).toBe('Opaque');
    expect(Buffer.from(sec.data.pw, 'base64').toString()).toBe('s3cr3t!');
    const bin = await get('/api/v1/namespaces/default/configmaps/bin');
    expect(bin.data).toEqual({ t: 'x' });
    expect([...Buffer.from(bin.binaryData.blob, 'base64')]).toEqual([0, 1, 2, 0xff, 0xfe, 0x80, 10]);
    const np = await get('/api/v1/namespaces/default/services/np');
    expect(np.spec).toMatchObject({ type: 'NodePort', ports: [{ port: 5678, targetPort: 8080 }] });
    expect(np.spec.ports[0].nodePort).toBeGreaterThanOrEqual(30000);
    const multi = await get('/apis/apps/v1/namespaces/default/deployments/multi');
    expect(multi.spec.template.spec.containers.map((c: any) => [c.name, c.image])).toEqual([['nginx', 'nginx'], ['busybox', 'busybox']]);
    const dep = await get('/apis/apps/v1/namespaces/default/deployments/web');
    expect(dep.spec.replicas).toBe(2);
    expect(dep.spec.template.spec.containers[0]).toMatchObject({ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80 }] });
    const zero = await get('/apis/apps/v1/namespaces/default/deployments/zero');
    expect(zero.spec.replicas).toBe(0);
    const job = await get('/apis/batch/v1/namespaces/default/jobs/j1');
    expect(job.spec.template.spec.containers[0].command).toEqual(['sh', '-c', 'echo hi']);
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    const svc = await get('/api/v1/namespaces/default/services/svc1');
    expect(svc.spec.ports.map((p: any) => [p.name, p.port, p.targetPort])).toEqual([['80-8080', 80, 8080], ['443-https', 443, 'https']]);
    const pod = await get('/api/v1/namespaces/default/pods/p1');
    expect(pod.spec.containers[0]).toMatchObject({ env: [{ name: 'A', value: 'B' }], command: ['nginx', '-g', 'daemon off;'], ports: [{ containerPort: 80 }] });
    expect(pod.spec.restartPolicy).toBe('Never');
    expect(pod.metadata.labels).toEqual({ app: 'p1', tier: 'web' });
    const exposed = await get('/api/v1/namespaces/default/services/web-svc');
    expect(exposed.spec).toMatchObject({ selector: { app: 'web' }, ports: [{ port: 8080, targetPort: 80, protocol: 'TCP' }] });
  });

  it('rejects a protobuf body of a kind without a schema with 415', async () => {
    const r = await kubectl('create', 'configmap', 'ok', '--from-literal=a=b', '-v=9');
    const body = protobufBodies(r.stderr).at(-1)!;
    // Rewrite the kind in the envelope's TypeMeta: "ConfigMap" → "ConfigMup" (same length).
    const bad = Buffer.from(body);
    const at = bad.indexOf('ConfigMap');
    bad.write('ConfigMup', at);
    const res = await s.req('POST', '/api/v1/namespaces/default/configmaps', { raw: bad.toString('latin1'), contentType: 'application/vnd.kubernetes.protobuf' });
    expect(res.status).toBe(415);
    expect(res.json.reason).toBe('UnsupportedMediaType');
  });
});

describe('kubectl drain', () => {
  it('evicts the pods of a node (policy/v1 Eviction)', async () => {
    expect((await s.req('POST', '/api/v1/nodes', { body: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } } })).status).toBe(201);
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'victim' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] } };
    expect((await s.req('POST', '/api/v1/namespaces/default/pods', { body: pod })).status).toBe(201);
    const r = await kubectl('drain', 'n1', '--force', '--grace-period=0', '--timeout=30s', '-v=9');
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    expect(r.stdout).toContain('pod/victim evicted');
    expect(r.stdout).toContain('node/n1 drained');
    // kubectl 1.32 posts the policy/v1 Eviction as JSON (its eviction client does not negotiate protobuf).
    const post = r.stderr.split('\n').find((l) => l.includes('-XPOST') && l.includes('/pods/victim/eviction'));
    expect(post).toContain('-H "Content-Type: application/json"');
    expect((await s.req('GET', '/api/v1/namespaces/default/pods/victim')).status).toBe(404);
  }, 60_000);
});

describe('kubectl debug', () => {
  it('re-sends a full pod spec as protobuf and it is stored unchanged', async () => {
    const orig = {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: 'rich', labels: { app: 'rich' }, annotations: { note: 'x' } },
      spec: {
        initContainers: [{ name: 'init', image: 'busybox', command: ['true'], restartPolicy: 'Always' }],
        containers: [{
          name: 'c', image: 'nginx:1.25', args: ['-g', 'daemon off;'], workingDir: '/w',
          ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }, { containerPort: 53, protocol: 'UDP', hostPort: 5353 }],
          env: [
            { name: 'PLAIN', value: 'v' },
            { name: 'FROM_CM', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k', optional: true } } },
            { name: 'FROM_FIELD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'FROM_RES', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
          ],
          envFrom: [{ prefix: 'S_', secretRef: { name: 'sec' } }],
          resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '250m', memory: '64Mi' } },
          volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true, subPath: 'sub' }, { name: 'cfg', mountPath: '/cfg' }],
          livenessProbe: { httpGet: { path: '/healthz', port: 'http', httpHeaders: [{ name: 'X', value: 'y' }] }, initialDelaySeconds: 3, periodSeconds: 5, failureThreshold: 2 },
          readinessProbe: { tcpSocket: { port: 80 }, timeoutSeconds: 2 },
          startupProbe: { exec: { command: ['cat', '/ready'] }, failureThreshold: 30 },
          lifecycle: { preStop: { exec: { command: ['sleep', '1'] } }, postStart: { httpGet: { path: '/', port: 80 } } },
          securityContext: { runAsUser: 0, runAsNonRoot: false, allowPrivilegeEscalation: false, capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] }, readOnlyRootFilesystem: true },
          stdin: true, tty: true,
        }],
        volumes: [
          { name: 'data', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
          { name: 'cfg', configMap: { name: 'cm', items: [{ key: 'a', path: 'a.txt', mode: 0o600 }], defaultMode: 0o644 } },
          { name: 'sec', secret: { secretName: 'sec', optional: false } },
          { name: 'host', hostPath: { path: '/tmp', type: 'DirectoryOrCreate' } },
          { name: 'dapi', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
          { name: 'proj', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3600, audience: 'api' } }, { configMap: { name: 'cm' } }] } },
          { name: 'pvc', persistentVolumeClaim: { claimName: 'claim', readOnly: true } },
        ],
        nodeSelector: { disk: 'ssd' },
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }] },
            preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, preference: { matchExpressions: [{ key: 'gpu', operator: 'Exists' }] } }],
          },
          podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'rich' } }, topologyKey: 'kubernetes.io/hostname' }] },
        },
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'x', effect: 'NoSchedule' }, { operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 0 }],
        topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'rich' } } }],
        securityContext: { runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000, supplementalGroups: [4000], sysctls: [{ name: 'net.ipv4.ip_local_port_range', value: '1024 65535' }], seccompProfile: { type: 'RuntimeDefault' } },
        hostAliases: [{ ip: '10.1.2.3', hostnames: ['foo.local'] }],
        dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['svc.local'], options: [{ name: 'ndots', value: '2' }] },
        hostname: 'rich', subdomain: 'sub', automountServiceAccountToken: false, enableServiceLinks: false,
        terminationGracePeriodSeconds: 5, activeDeadlineSeconds: 600, readinessGates: [{ conditionType: 'example.com/ready' }],
        restartPolicy: 'OnFailure',
      },
    };
    const created = await s.req('POST', '/api/v1/namespaces/default/pods', { body: orig });
    expect(created.status, created.text).toBe(201);
    const r = await kubectl('debug', 'rich', '--copy-to=rich-copy', '--set-image=*=nginx:1.27', '--share-processes=false',
      '--keep-labels', '--keep-annotations', '--keep-liveness', '--keep-readiness', '--keep-startup', '--keep-init-containers', '-v=9');
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    expect(r.stderr).toContain('-H "Content-Type: application/vnd.kubernetes.protobuf"');
    const sent = protobufBodies(r.stderr).map((b) => decodeProtobufObject(b)).find((o) => o.kind === 'Pod') as any;
    const original = await get('/api/v1/namespaces/default/pods/rich');
    const copy = await get('/api/v1/namespaces/default/pods/rich-copy');
    // kubectl changed only the name, the images of the (non-init) containers and set
    // shareProcessNamespace=false (a pointer: kept although false); everything else survived Go's
    // protobuf marshalling and our decoding.
    const expectedSpec = { ...JSON.parse(JSON.stringify(original.spec).split('nginx:1.25').join('nginx:1.27')), shareProcessNamespace: false };
    expect(sent.spec).toEqual(expectedSpec);
    expect(copy.spec).toEqual(expectedSpec);
    expect(copy.metadata.labels).toEqual(original.metadata.labels);
    expect(copy.metadata.annotations).toEqual(original.metadata.annotations);
  }, 60_000);

  it('kubectl debug node/ sends a privileged host pod', async () => {
    expect((await s.req('POST', '/api/v1/nodes', { body: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n2' } } })).status).toBe(201);
    const r = await kubectl('debug', 'node/n2', '--image=busybox', '--profile=sysadmin', '-v=9');
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    const sent = protobufBodies(r.stderr).map((b) => decodeProtobufObject(b)).find((o) => o.kind === 'Pod') as any;
    expect(sent.spec).toMatchObject({
      nodeName: 'n2', hostIPC: true, hostNetwork: true, hostPID: true, restartPolicy: 'Never',
      volumes: [{ name: 'host-root', hostPath: { path: '/' } }],
      tolerations: [{ operator: 'Exists' }],
      containers: [{ name: 'debugger', image: 'busybox', securityContext: { privileged: true }, volumeMounts: [{ name: 'host-root', mountPath: '/host' }] }],
    });
    // false non-pointer booleans are omitted, as Go prints them.
    expect(Object.keys(sent.spec.containers[0])).not.toContain('stdin');
    const list = await get('/api/v1/namespaces/default/pods');
    const stored = list.items.find((p: any) => p.metadata.name.startsWith('node-debugger-n2-'));
    expect(stored.spec).toMatchObject(sent.spec);
  }, 60_000);
});
