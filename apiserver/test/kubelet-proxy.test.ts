// pods/log and pods/exec are proxied to the pod's kubelet: here a stand-in kubelet over HTTPS that speaks
// the kubelet's paths (the real kubelet is covered by the kubelet and e2e suites).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server } from 'node:https';
import { WebSocketServer, WebSocket } from 'ws';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { startTestServer, type TestServer } from './harness.ts';
import { issueKubeletServingCert } from '../src/pki/index.ts';

let s: TestServer;
let kubelet: Server;
const seen: { path: string; cn?: string }[] = [];

beforeAll(async () => {
  s = await startTestServer({ storage: 'memory' });
  const serving = await issueKubeletServingCert(s.api.ca, { nodeName: 'n1', ips: ['127.0.0.1'] });
  kubelet = createServer({ key: serving.keyPem, cert: serving.certPem, ca: s.api.ca.certPem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const cn = (req.socket as import('node:tls').TLSSocket).getPeerCertificate().subject?.CN;
    seen.push({ path: req.url!, cn: Array.isArray(cn) ? cn[0] : cn });
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('line 1\nline 2\n');
  });
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (p) => (p.has('v5.channel.k8s.io') ? 'v5.channel.k8s.io' : false) });
  kubelet.on('upgrade', (req, socket, head) => {
    seen.push({ path: req.url! });
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.send(Buffer.concat([Buffer.from([1]), Buffer.from('hi from exec\n')]));
      ws.send(Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify({ metadata: {}, status: 'Success' }))]));
      ws.close();
    });
  });
  await new Promise<void>((r) => kubelet.listen(0, '127.0.0.1', () => r()));
  const port = (kubelet.address() as import('node:net').AddressInfo).port;
  await s.req('POST', '/api/v1/nodes', { body: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: port } } } } });
  await s.req('POST', '/api/v1/namespaces/default/pods', { body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { nodeName: 'n1', containers: [{ name: 'a', image: 'busybox' }, { name: 'b', image: 'busybox' }] } } });
  await s.req('POST', '/api/v1/namespaces/default/pods', { body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'unbound' }, spec: { containers: [{ name: 'a', image: 'busybox' }] } } });
});
afterAll(async () => {
  kubelet?.close();
  await s?.stop();
});

describe('kubelet proxy', () => {
  it('streams pods/log from the kubelet with the API server client certificate', async () => {
    const r = await s.req('GET', '/api/v1/namespaces/default/pods/p/log?container=b&tailLines=5&follow=true');
    expect(r.status).toBe(200);
    expect(r.text).toBe('line 1\nline 2\n');
    expect(seen.at(-1)).toEqual({ path: '/containerLogs/default/p/b?follow=true&tailLines=5', cn: 'kube-apiserver-kubelet-client' });
  });
  it('answers as upstream when the container or the node is missing', async () => {
    const r = await s.req('GET', '/api/v1/namespaces/default/pods/p/log');
    expect(r.status).toBe(400);
    expect(r.json.message).toBe('a container name must be specified for pod p, choose one of: [a b]');
    const u = await s.req('GET', '/api/v1/namespaces/default/pods/unbound/log');
    expect(u.json.message).toBe('pod unbound does not have a host assigned');
  });
  it('tunnels exec over WebSocket (v5.channel.k8s.io) to the kubelet', async () => {
    const kc = parse(readFileSync(s.kubeconfig, 'utf8'));
    const d = (x: string) => Buffer.from(x, 'base64').toString();
    const url = `${s.url.replace('https', 'wss')}/api/v1/namespaces/default/pods/p/exec?command=echo&command=hi&container=a&stdout=true&stderr=true`;
    const ws = new WebSocket(url, ['v5.channel.k8s.io'], { ca: d(kc.clusters[0].cluster['certificate-authority-data']), cert: d(kc.users[0].user['client-certificate-data']), key: d(kc.users[0].user['client-key-data']) });
    const frames: string[] = [];
    await new Promise<void>((resolve, reject) => {
      ws.on('message', (m: Buffer) => frames.push(`${m[0]}:${m.subarray(1).toString()}`));
      ws.on('close', () => resolve());
      ws.on('error', reject);
    });
    expect(ws.protocol).toBe('v5.channel.k8s.io');
    expect(frames).toEqual(['1:hi from exec\n', '3:{"metadata":{},"status":"Success"}']);
    expect(seen.at(-1)!.path).toBe('/exec/default/p/a?output=1&error=1&command=echo&command=hi');
  });
  it('refuses anonymous upgrades', async () => {
    const ws = new WebSocket(`${s.url.replace('https', 'wss')}/api/v1/namespaces/default/pods/p/exec?command=ls&container=a`, ['v5.channel.k8s.io'], { rejectUnauthorized: false });
    const status = await new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(401);
  });
});
