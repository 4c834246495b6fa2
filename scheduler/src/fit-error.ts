import type { Pod } from 'kubernetes-types/core/v1';
import type { NodeToStatusReader } from './framework/interface.ts';

export const NoNodeAvailableMsg = (n: number) => `0/${n} nodes are available`;

export interface Diagnosis {
  nodeToStatus: NodeToStatusReader;
  preFilterMsg: string;
  postFilterMsg: string;
  unschedulablePlugins?: Set<string>;
}

/**
 * FitError.Error() of 1.32: "0/N nodes are available:" then the PreFilter message, or a histogram of filter
 * reasons ("<count> <reason>", sorted as strings, joined by ", ") ended by "."; then the PostFilter message.
 */
export function fitErrorMessage(numAllNodes: number, d: Diagnosis): string {
  let msg = NoNodeAvailableMsg(numAllNodes) + ':';
  if (d.preFilterMsg) msg += ` ${d.preFilterMsg}.`;
  else {
    const reasons = new Map<string, number>();
    for (const [, s] of d.nodeToStatus.entries()) for (const r of s.reasons) reasons.set(r, (reasons.get(r) ?? 0) + 1);
    const explicit = d.nodeToStatus.size();
    if (explicit < numAllNodes) {
      for (const r of d.nodeToStatus.absentStatus().reasons) reasons.set(r, (reasons.get(r) ?? 0) + numAllNodes - explicit);
    }
    const strs = [...reasons].map(([r, n]) => `${n} ${r}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (strs.length) msg += ` ${strs.join(', ')}.`;
  }
  if (d.postFilterMsg) msg += ` ${d.postFilterMsg}`;
  return msg;
}

/** The scheduling failure of a pod: no node fits (upstream framework.FitError). */
export class FitError extends Error {
  readonly pod: Pod;
  readonly numAllNodes: number;
  readonly diagnosis: Diagnosis;
  constructor(pod: Pod, numAllNodes: number, diagnosis: Diagnosis) {
    super(fitErrorMessage(numAllNodes, diagnosis));
    this.name = 'FitError';
    this.pod = pod;
    this.numAllNodes = numAllNodes;
    this.diagnosis = diagnosis;
  }
  /** Recomputes the message (after postFilterMsg is set). */
  refresh(): void {
    this.message = fitErrorMessage(this.numAllNodes, this.diagnosis);
  }
}
