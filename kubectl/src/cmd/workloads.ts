// Workload commands: rollout (status, history, undo, restart, pause, resume) and drain.
import type { Command } from 'commander';
import type { FactoryFor } from './flags.ts';
import { registerRolloutCommands } from './rollout/register.ts';

export function registerWorkloadCommands(program: Command, factory: FactoryFor): void {
  registerRolloutCommands(program, factory);
}
