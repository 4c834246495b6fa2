export { run } from './cli.ts';
export { bufferStreams, processStreams } from './io.ts';
export type { IOStreams } from './io.ts';
export { toYaml } from './printers/yaml.ts';
export { toJson } from './printers/json.ts';
export { formatTabs } from './printers/tabwriter.ts';
