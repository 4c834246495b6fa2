import { describe, expect, it } from 'vitest';
import { milliValue, value } from '../src/framework/resources.ts';
import { podRequests } from '../src/framework/resource.ts';
import { makePod } from './helpers.ts';

describe('quantities', () => {
  it('parses cpu to millicores exactly, rounding up', () => {
    expect(milliValue('100m')).toBe(100);
    expect(milliValue('0.1')).toBe(100);
    expect(milliValue('1.5')).toBe(1500);
    expect(milliValue('2')).toBe(2000);
    expect(milliValue('1u')).toBe(1);
    expect(milliValue(3)).toBe(3000);
  });
  it('parses memory suffixes', () => {
    expect(value('1Ki')).toBe(1024);
    expect(value('1Gi')).toBe(1024 ** 3);
    expect(value('128974848')).toBe(128974848);
    expect(value('129e6')).toBe(129000000);
    expect(value('129M')).toBe(129000000);
    expect(value('123Mi')).toBe(123 * 1024 * 1024);
    expect(value('1.5Gi')).toBe(1.5 * 1024 ** 3);
    expect(value('100m')).toBe(1);
  });
  it('rejects garbage', () => {
    expect(() => value('abc')).toThrow();
    expect(() => value('1Qi')).toThrow();
  });
});

describe('podRequests', () => {
  it('takes max(sum(containers), max(init)) plus overhead', () => {
    const pod = makePod('p', {
      spec: {
        containers: [
          { name: 'a', resources: { requests: { cpu: '100m', memory: '100Mi' } } },
          { name: 'b', resources: { requests: { cpu: '200m', memory: '50Mi' } } },
        ],
        initContainers: [
          { name: 'i1', resources: { requests: { cpu: '500m', memory: '10Mi' } } },
          { name: 'i2', resources: { requests: { cpu: '100m', memory: '300Mi' } } },
        ],
        overhead: { cpu: '10m', memory: '1Mi' },
      },
    });
    const r = podRequests(pod);
    expect(r.milliCPU).toBe(510);
    expect(r.memory).toBe(301 * 1024 * 1024);
  });
  it('counts restartable init containers (sidecars) in the steady state', () => {
    const pod = makePod('p', {
      spec: {
        containers: [{ name: 'a', resources: { requests: { cpu: '100m' } } }],
        initContainers: [
          { name: 's', restartPolicy: 'Always', resources: { requests: { cpu: '50m' } } } as never,
          { name: 'i', resources: { requests: { cpu: '120m' } } },
        ],
      },
    });
    expect(podRequests(pod).milliCPU).toBe(170); // max(100+50, 50+120)
  });
  it('applies 100m/200Mi to missing requests when scoring', () => {
    const r = podRequests(makePod('p'), true);
    expect(r.milliCPU).toBe(100);
    expect(r.memory).toBe(200 * 1024 * 1024);
    expect(podRequests(makePod('p')).isZero()).toBe(true);
  });
});
