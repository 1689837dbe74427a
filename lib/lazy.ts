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
 * Defines `names` on a CommonJS module's exports as getters that load on first
 * read. Each name must also be declared `export let` in the module, so
 * TypeScript emits `exports.name = void 0` (which is how Node's ESM loader
 * finds a CommonJS module's names) and the declaration file types it.
 */
export function lazyExports(exports: object, names: Record<string, () => unknown>): void {
  for (const [name, load] of Object.entries(names)) {
    const value = lazy(load);
    Object.defineProperty(exports, name, { enumerable: true, configurable: true, get: value });
  }
}
