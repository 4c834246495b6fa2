// kubectl explain against the real kubectl 1.32 on the same API server (OpenAPI v3 from /openapi/v3):
// byte-for-byte the same stdout, stderr and exit code.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startEnv, both, type Env } from './helpers.ts';
import { wrap } from '../src/cmd/explain.ts';

let env: Env;
beforeAll(async () => { env = await startEnv(); }, 60_000);
afterAll(async () => { await env?.stop(); });

describe('explain matches kubectl 1.32', () => {
  const cases: string[][] = [
    ['explain', 'pods'],
    ['explain', 'pods.spec.containers'],
    ['explain', 'pods.spec', '--recursive'],
    ['explain', 'pods', '--recursive'],
    ['explain', 'po.metadata.labels'],
    ['explain', 'pods.spec.containers.imagePullPolicy'],
    ['explain', 'pods.spec.containers.resources.limits'],
    ['explain', 'pods.status.conditions.'],
    ['explain', 'deploy', '--api-version=apps/v1'],
    ['explain', 'deployments.apps.spec.template'],
    ['explain', 'deployment.spec.strategy.rollingUpdate.maxSurge'],
    ['explain', 'cronjobs.spec.jobTemplate.spec', '--recursive'],
    ['explain', 'svc.spec.ports'],
    ['explain', 'nodes', '--recursive'],
    ['explain', 'ns'],
    // errors
    ['explain'],
    ['explain', 'pods', 'nodes'],
    ['explain', 'foo'],
    ['explain', 'pods.spec.foo'],
    ['explain', 'pods.spec.containers.foo'],
    ['explain', 'deploy', '--api-version=apps/v2'],
    ['explain', 'pods', '--api-version=v2'],
  ];
  for (const args of cases) {
    it(args.join(' '), async () => {
      const { real, ours } = await both(env, args);
      expect(ours).toEqual(real);
    }, 30_000);
  }
});

describe('wrap (go-wordwrap)', () => {
  it('breaks at spaces, keeps newlines and leaves long words whole', () => {
    expect(wrap(10, 'aaa bbb ccc ddd')).toBe('aaa bbb\nccc ddd');
    expect(wrap(10, 'a\n\nb')).toBe('a\n\nb');
    expect(wrap(5, 'x https://example.com/long y')).toBe('x\nhttps://example.com/long\ny');
  });
});
