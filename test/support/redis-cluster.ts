import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { freeClusterPort } from './ports';
import { RedisServer } from './redis-server';

const run = promisify(execFile);

/**
 * A private 3-master Redis Cluster on free loopback ports: three
 * `--cluster-enabled yes` servers joined by `redis-cli --cluster create`.
 * Fails, never skips, when it cannot form; each server is stopped by its pid.
 */
export class RedisCluster {
  private constructor(readonly servers: RedisServer[]) {}

  static async start(): Promise<RedisCluster> {
    const servers: RedisServer[] = [];
    try {
      for (let index = 0; index < 3; index++) {
        const args = ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${index}.conf`, '--cluster-node-timeout', '2000'];
        servers.push(await RedisServer.start({ port: await freeClusterPort(), args }));
      }
      const cluster = new RedisCluster(servers);
      await run('redis-cli', ['--cluster', 'create', ...cluster.nodes.map(({ host, port }) => `${host}:${port}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
      await cluster.untilReady();
      return cluster;
    } catch (error) {
      await Promise.all(servers.map((server) => server.stop()));
      throw new Error(`the Redis Cluster did not form (redis-server and redis-cli are needed): ${String(error)}`, { cause: error });
    }
  }

  get nodes(): { host: string; port: number }[] {
    return this.servers.map((server) => ({ host: '127.0.0.1', port: server.port }));
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.stop()));
  }

  private async untilReady(): Promise<void> {
    const giveUpAt = Date.now() + 20_000;
    for (;;) {
      const states = await Promise.all(this.servers.map(async (server) => (await run('redis-cli', ['-p', String(server.port), 'cluster', 'info'])).stdout));
      if (states.every((state) => state.includes('cluster_state:ok'))) return;
      if (Date.now() > giveUpAt) throw new Error(`cluster_state never became ok: ${states.join(' | ')}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
