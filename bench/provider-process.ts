import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';

/** The bench-local provider (`provider.ts`) in its own process, and its control routes. */
export interface Provider {
  baseURL: string;
  child: ChildProcess;
  control(query: string): Promise<void>;
  tokenRequests(): Promise<number>;
}

export async function startProvider(): Promise<Provider> {
  const child = fork(join(__dirname, 'provider.ts'), { execArgv: ['--import', 'tsx'] });
  const port = await new Promise<number>((resolve) => child.once('message', (message: { port: number }) => resolve(message.port)));
  const baseURL = `http://127.0.0.1:${port}`;
  return {
    baseURL,
    child,
    control: async (query) => {
      await (await fetch(`${baseURL}/control?${query}`)).text();
    },
    tokenRequests: async () => ((await (await fetch(`${baseURL}/stats`)).json()) as { tokenRequests: number }).tokenRequests,
  };
}
