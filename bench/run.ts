// pnpm bench [name...]: runs the named benchmarks (all when none is named) and prints their figures.
const benches: Record<string, () => Promise<void>> = {
  apiserver: async () => (await import('./apiserver.ts')).run(),
  scheduler: async () => (await import('./scheduler.ts')).run(),
  kubelet: async () => { await (await import('./kubelet.ts')).run(); },
  kubectl: async () => (await import('./kubectl.ts')).run(),
};

const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
for (const n of names.length ? names : Object.keys(benches)) {
  const b = benches[n];
  if (!b) {
    console.error(`unknown benchmark "${n}"; known: ${Object.keys(benches).join(', ')}`);
    process.exit(1);
  }
  console.log(`== ${n}`);
  await b();
}
process.exit(0);
export {};
