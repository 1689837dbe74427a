import { PostgresServer } from './postgres-server';
import type { PostgresTarget } from './postgres-stores';
import { RedisCluster } from './redis-cluster';
import { RedisServer } from './redis-server';
import { requireServers } from './servers';
import type { RedisTarget } from './stores';

/**
 * Every shared backend the package's stores run on, on private servers: one
 * Redis for node-redis, ioredis and iovalkey; a 3-master Redis Cluster for
 * node-redis and ioredis; PostgreSQL under its default isolation and under
 * `serializable`. One list, so every suite that must hold on each backend
 * (token stores, and their stress) runs the same ones.
 */
export type Target = RedisTarget | PostgresTarget;

export interface Backend {
  name: string;
  target: () => Target;
}

export class Backends {
  private constructor(
    private readonly redis: RedisServer,
    private readonly cluster: RedisCluster,
    private readonly postgres: PostgresServer,
  ) {}

  /** In a `before`: not run (or failed, under CI) where the servers cannot start here. */
  static async start(context: Mocha.Context): Promise<Backends> {
    requireServers(context, 'redis', 'postgres');
    const [redis, cluster, postgres] = await Promise.all([RedisServer.start(), RedisCluster.start(), PostgresServer.start()]);
    return new Backends(redis, cluster, postgres);
  }

  /** The backends, by name; their targets resolve once the servers run. */
  static list(servers: () => Backends): Backend[] {
    return [
      { name: 'Redis, node-redis', target: () => ({ kind: 'node-redis', url: servers().redis.url }) },
      { name: 'Redis, ioredis', target: () => ({ kind: 'ioredis', url: servers().redis.url }) },
      { name: 'Redis, iovalkey', target: () => ({ kind: 'iovalkey', url: servers().redis.url }) },
      { name: 'Redis Cluster, node-redis createCluster', target: () => ({ kind: 'node-redis-cluster', nodes: servers().cluster.nodes }) },
      { name: 'Redis Cluster, ioredis Cluster', target: () => ({ kind: 'ioredis-cluster', nodes: servers().cluster.nodes }) },
      { name: 'PostgreSQL', target: () => ({ kind: 'postgres', url: servers().postgres.url }) },
      {
        name: 'PostgreSQL, default_transaction_isolation = serializable',
        target: () => ({ kind: 'postgres', url: `${servers().postgres.url}?options=-c%20default_transaction_isolation%3Dserializable`, table: 'fic_tokens_serializable' }),
      },
    ];
  }

  async stop(): Promise<void> {
    await Promise.all([this.redis.stop(), this.cluster.stop(), this.postgres.stop()]);
  }
}
