// `k8ts logs -f` formatting and subject choice (pure).
import { describe, expect, it } from 'vitest';
import { formatStreamMessage, subjectsFor } from '../src/log-follow.ts';

describe('formatStreamMessage', () => {
  it('prints a log line with where it came from, its level, message and fields', () => {
    const data = JSON.stringify({ level: 30, time: Date.UTC(2026, 10, 23, 12, 0, 1, 123), pid: 7, component: 'kubelet', node: 'w1', msg: 'started container', pod: 'default/web', container: 'main' });
    expect(formatStreamMessage({ subject: 'k8ts.logs.w1.kubelet', data })).toBe('12:00:01.123 w1/kubelet INFO started container pod=default/web container=main');
  });
  it('names control-plane components without a node and quotes values with spaces', () => {
    const data = JSON.stringify({ level: 40, time: 0, msg: 'Failed', reason: 'FailedScheduling', why: 'no nodes here' });
    expect(formatStreamMessage({ subject: 'k8ts.logs._.kube-scheduler', data })).toBe('00:00:00.000 kube-scheduler WARN Failed reason=FailedScheduling why="no nodes here"');
  });
  it('prints an Event with its object, type, reason, message, count and source', () => {
    const data = JSON.stringify({ kind: 'Event', involvedObject: { kind: 'Pod', namespace: 'default', name: 'web' }, type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container', count: 3, lastTimestamp: '2026-11-23T12:00:05Z', source: { component: 'kubelet', host: 'w1' } });
    expect(formatStreamMessage({ subject: 'k8ts.events.default', data })).toBe('12:00:05.000 event pod/default/web Warning BackOff: Back-off restarting failed container (x3) [kubelet@w1]');
  });
  it('passes through what is not JSON', () => {
    expect(formatStreamMessage({ subject: 'k8ts.logs._.x', data: 'plain' })).toMatch(/ k8ts\.logs\._\.x plain$/);
  });
});

describe('subjectsFor', () => {
  it('follows everything, one node, or one component on every node', () => {
    expect(subjectsFor(undefined, ['w1'])).toEqual(['k8ts.logs.>', 'k8ts.events.>']);
    expect(subjectsFor('w1', ['w1'])).toEqual(['k8ts.logs.w1.>']);
    expect(subjectsFor('kubelet', ['w1'])).toEqual(['k8ts.logs.*.kubelet']);
  });
});
