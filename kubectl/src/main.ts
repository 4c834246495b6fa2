// kubectl entry point.
import { run } from './cli.ts';
import { processStreams } from './io.ts';

process.exitCode = await run(process.argv.slice(2), processStreams());
