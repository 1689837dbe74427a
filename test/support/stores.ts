import IORedis, { Cluster as IORedisCluster } from 'ioredis';
import Valkey from 'iovalkey';
import { createClient, createCluster } from 'redis';
import type { TokenStore } from '../../lib/index';
import { RedisTokenStore, type RedisTokenStoreOptions } from '../../lib/redis';

/**
 * The shared stores the tests and workers run, by the client they use. A
 * target is plain data, so a worker process can be handed one.
 */
export type RedisTarget =
  | { kind: 'node-redis' | 'ioredis' | 'iovalkey'; url: string }
  | { kind: 'node-redis-cluster' | 'ioredis-cluster'; nodes: { host: string; port: number }[] };

export type RedisKind = RedisTarget['kind'];

export interface OpenedStore {
  store: RedisTokenStore;
  /** Flushes every node: an empty key space. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export async function openRedisStore(target: RedisTarget, options: Omit<RedisTokenStoreOptions, 'client'> = {}): Promise<OpenedStore> {
  switch (target.kind) {
    case 'node-redis': {
      const client = createClient({ url: target.url });
      client.on('error', () => undefined);
      await client.connect();
      return { store: new RedisTokenStore({ ...options, client }), flush: async () => {
          await client.flushAll();
        }, close: () => client.close() };
    }
    case 'node-redis-cluster': {
      const cluster = createCluster({ rootNodes: target.nodes.map(({ host, port }) => ({ url: `redis://${host}:${port}` })) });
      cluster.on('error', () => undefined);
      await cluster.connect();
      const flush = async (): Promise<void> => {
        await Promise.all(cluster.masters.map(async (master) => (await cluster.nodeClient(master)).flushAll()));
      };
      return { store: new RedisTokenStore({ ...options, client: cluster }), flush, close: () => cluster.close() };
    }
    case 'ioredis':
    case 'iovalkey': {
      const client = target.kind === 'ioredis' ? new IORedis(target.url, { lazyConnect: true }) : new Valkey(target.url, { lazyConnect: true });
      client.on('error', () => undefined);
      await client.connect();
      const flush = async (): Promise<void> => {
        await client.flushall();
      };
      const close = async (): Promise<void> => {
        await client.quit();
      };
      return { store: new RedisTokenStore({ ...options, client }), flush, close };
    }
    case 'ioredis-cluster': {
      const cluster = new IORedisCluster(target.nodes, { lazyConnect: true });
      cluster.on('error', () => undefined);
      await cluster.connect();
      const flush = async (): Promise<void> => {
        await Promise.all(cluster.nodes('master').map((node) => node.flushall()));
      };
      const close = async (): Promise<void> => {
        await cluster.quit();
      };
      return { store: new RedisTokenStore({ ...options, client: cluster }), flush, close };
    }
  }
}

export type { TokenStore };
