// Commands that edit or follow objects: replace, edit, events.
import type { Command } from 'commander';
import type { FactoryFor } from './flags.ts';

export function registerEditingCommands(_program: Command, _factory: FactoryFor): void {
  // replace, edit and events are registered here (issue 3, in progress).
}
