export * from './catalog.ts';
export * from './build.ts';
export * from './registry.ts';
export * from './push.ts';
