// Workload commands: rollout (status, history, undo, restart) and drain.
import type { Command } from 'commander';
import type { FactoryFor } from './flags.ts';

export function registerWorkloadCommands(_program: Command, _factory: FactoryFor): void {
  // rollout and drain are registered here (issue 3, in progress).
}
