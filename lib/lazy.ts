/**
 * A module loaded at its first use, then kept: `require('passport-fattureincloud')`
 * pays only for what starting a login needs, and the token exchange, the
 * profile, the token manager and the rest load when a request first needs them.
 */
export function lazy<T>(load: () => T): () => T {
  let loaded: { value: T } | undefined;
  return () => (loaded ??= { value: load() }).value;
}

/**
 * Defines each of `loaders` on a CommonJS module's exports as a getter that
 * loads on first read. Each name is also declared `export let` in the module,
 * so TypeScript emits `exports.name = void 0` (how Node's ESM loader finds a
 * CommonJS module's names) and the declaration file types it. Where a
 * transpiler binds the exports itself (esbuild, under tsx), they cannot be
 * redefined: `assign` gets every value at once instead.
 */
export function lazyExports<T extends object>(exports: object, loaders: { [K in keyof T]: () => T[K] }, assign: (values: T) => void): void {
  const names = Object.keys(loaders) as (keyof T & string)[];
  if (names.some((name) => Object.getOwnPropertyDescriptor(exports, name)?.configurable === false)) {
    assign(Object.fromEntries(names.map((name) => [name, loaders[name]()])) as T);
    return;
  }
  for (const name of names) Object.defineProperty(exports, name, { enumerable: true, configurable: true, get: lazy(loaders[name]) });
}
