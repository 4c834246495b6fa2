import { describe, it, expect } from 'vitest';
import { exitCodeFromStatus } from '../src/exec.ts';

describe('exitCodeFromStatus', () => {
  it('reads the final status frame as upstream remotecommand does', () => {
    expect(exitCodeFromStatus('{"metadata":{},"status":"Success"}')).toBe(0);
    expect(exitCodeFromStatus('{"metadata":{},"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}')).toBe(3);
    expect(() => exitCodeFromStatus('{"status":"Failure","message":"container not found"}')).toThrow('container not found');
  });
});
