// kubectl entry point. Node's compile cache is switched on before the rest is loaded (a second run
// reads the compiled code instead of stripping types and compiling again); NODE_COMPILE_CACHE, which
// bin/kubectl sets, wins when present.
import { enableCompileCache } from 'node:module';

if (!process.env.NODE_COMPILE_CACHE && !process.env.NODE_DISABLE_COMPILE_CACHE) {
  enableCompileCache?.(new URL('../../.tools/compile-cache/', import.meta.url).pathname);
}
const [{ run }, { processStreams }] = await Promise.all([import('./cli.ts'), import('./io.ts')]);
process.exitCode = await run(process.argv.slice(2), processStreams());
