import { type Client, ClientsApi, Configuration } from '@fattureincloud/fattureincloud-ts-sdk';

/** A page of the company's clients, through the official SDK; an error is a message to show, never a stack. */
export type ClientsResult = { clients: Client[]; total: number } | { error: string };

const TIMEOUT_MS = 10_000;
const PER_PAGE = 50;

export async function listClients(baseURL: string, accessToken: string, companyID: number): Promise<ClientsResult> {
  const api = new ClientsApi(new Configuration({ accessToken, basePath: baseURL }));
  try {
    const { data } = await api.listClients(companyID, undefined, undefined, undefined, 1, PER_PAGE, undefined, { timeout: TIMEOUT_MS });
    return { clients: data.data ?? [], total: data.total ?? 0 };
  } catch (error) {
    return { error: describe(error) };
  }
}

/** What the SDK rejects with (an axios error), as far as this reads it. */
interface SDKError {
  isAxiosError?: boolean;
  code?: string;
  response?: { status: number; data?: unknown };
}

/** Fatture in Cloud's own message where it sent one; an axios error itself holds the Authorization header, so it is never shown. */
function describe(error: unknown): string {
  const failure = error as SDKError | undefined;
  if (failure?.isAxiosError !== true) return 'The clients could not be listed.';
  const status = failure.response?.status;
  if (status === undefined) return `Could not reach Fatture in Cloud (${failure.code ?? 'network error'}).`;
  const body = failure.response?.data as { error?: { message?: unknown; code?: unknown } } | undefined;
  const message = typeof body?.error?.message === 'string' ? body.error.message : undefined;
  const code = typeof body?.error?.code === 'string' ? ` (${body.error.code})` : '';
  const advice = status === 401 ? ' Log out and in again.' : status === 403 ? ' The app needs the entity.clients:r scope, and the company must be one of yours.' : '';
  return `Fatture in Cloud answered HTTP ${status}${message ? `: ${message}${code}` : ''}.${advice}`;
}
