import type { Client } from '@fattureincloud/fattureincloud-ts-sdk';
import type { FattureInCloudCompany } from 'passport-fattureincloud';
import type { ReceivedEvent } from './webhooks';

/** Server-rendered pages (the clients page loads /live.js, nothing inline); every value from outside goes through `escape`. */

export function escape(value: string | number | null | undefined): string {
  return String(value ?? '').replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const STYLE = `*{box-sizing:border-box}body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f7fb;color:#1d2733}
header{background:#0b5cad;color:#fff;padding:1rem 2rem;display:flex;justify-content:space-between;align-items:center;gap:1rem}
main{max-width:60rem;margin:2rem auto;padding:0 1.5rem}
.card{background:#fff;border-radius:12px;box-shadow:0 2px 12px #0001;padding:1.5rem 2rem;margin-bottom:1.5rem}
.button{display:inline-block;background:#0b5cad;color:#fff;border:0;border-radius:8px;padding:.6rem 1.2rem;font:inherit;text-decoration:none;cursor:pointer}
.button.secondary{background:#fff;color:#0b5cad;border:1px solid #0b5cad}
select{font:inherit;padding:.5rem .6rem;border-radius:8px;border:1px solid #b8c4d2;min-width:18rem}
input{font:inherit;padding:.5rem .6rem;border-radius:8px;border:1px solid #b8c4d2}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.5rem .6rem;border-bottom:1px solid #e3e8ef}
th{font-size:.8rem;text-transform:uppercase;color:#5a6776}.muted{color:#5a6776}
.notice{background:#e8f4ea;border-left:4px solid #2e7d32;padding:.8rem 1rem;border-radius:6px}
.error{background:#fdecea;border-left:4px solid #c62828;padding:.8rem 1rem;border-radius:6px}
.row{display:flex;gap:1rem;align-items:center;flex-wrap:wrap}form{display:inline}`;

export interface SignedInView {
  displayName: string;
  csrfToken: string;
}

export function layout(title: string, body: string, user?: SignedInView): string {
  const nav = user
    ? `<span>${escape(user.displayName)} · <form method="post" action="/logout">${csrfField(user.csrfToken)}<button class="button secondary" id="logout">Log out</button></form></span>`
    : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escape(title)}</title><style>${STYLE}</style></head>
<body><header><strong>passport-fattureincloud example</strong>${nav}</header><main>${body}</main></body></html>`;
}

function csrfField(token: string): string {
  return `<input type="hidden" name="_csrf" value="${escape(token)}">`;
}

export function homePage(provider: string, notice?: string): string {
  return layout(
    'Log in with Fatture in Cloud',
    `${noticeOf(notice)}<section class="card"><h1>Welcome</h1><p>This app signs you in with your Fatture in Cloud account and lists the clients of the company you pick.</p>
<p><a class="button" id="login" href="/auth/fattureincloud">Log in with Fatture in Cloud</a></p>
<p class="muted">Provider: ${escape(provider)}</p></section>`,
  );
}

export interface ClientsView extends SignedInView {
  email: string | undefined;
  companies: readonly FattureInCloudCompany[];
  companyID: number | undefined;
  /** The set the page shows: when it expires, and its fingerprint (never the token). */
  token: { expiresAt: number; fingerprint: string };
  clients: { clients: readonly Client[]; total: number } | { error: string } | undefined;
  notice?: string | undefined;
  /** With webhooks: the company's last events, and their count (the page refreshes itself when it moves). */
  live?: { events: readonly ReceivedEvent[]; changes: number } | undefined;
}

export function clientsPage(view: ClientsView): string {
  const expiry = `<p>Access token expires <strong id="expiry">${escape(new Date(view.token.expiresAt).toISOString())}</strong>.
<form method="post" action="/refresh">${csrfField(view.csrfToken)}<input type="hidden" name="company" value="${escape(view.companyID)}"><input type="hidden" name="seen" value="${escape(view.token.fingerprint)}"><button class="button secondary" id="refresh">Refresh token</button></form></p>`;
  return layout(
    'Your clients',
    `${noticeOf(view.notice)}<section class="card"><h1>Hello, ${escape(view.displayName)}</h1>
<p class="muted">${escape(view.email ?? '')}</p>${expiry}</section>
<section class="card"><h2>Clients</h2>${companyPicker(view.companies, view.companyID)}${liveSection(view)}</section>${addClientForm(view)}`,
    view,
  );
}

/** The clients and the events: what /live.js swaps in when a webhook arrives. */
function liveSection(view: ClientsView): string {
  if (!view.live || view.companyID === undefined) return clientsTable(view.clients);
  const poll = `/clients/changes?company=${view.companyID}`;
  return `<div id="live" data-poll="${escape(poll)}" data-changes="${escape(view.live.changes)}">${clientsTable(view.clients)}${eventsList(view.live.events)}</div><script src="/live.js" defer></script>`;
}

function eventsList(events: readonly ReceivedEvent[]): string {
  const items = events.map((event) => `<li><code>${escape(event.type.replace('it.fattureincloud.webhooks.', ''))}</code> ${escape(event.ids.join(', '))} <span class="muted">${escape(event.time)}</span></li>`).join('');
  return `<h3>Last events from Fatture in Cloud</h3>${items ? `<ul id="events">${items}</ul>` : '<p class="muted" id="events-empty">None yet: add a client, here or in another tab.</p>'}`;
}

function addClientForm(view: ClientsView): string {
  if (view.companyID === undefined) return '';
  return `<section class="card"><h2>Add a client</h2><form method="post" action="/clients" class="row">${csrfField(view.csrfToken)}<input type="hidden" name="company" value="${escape(view.companyID)}">
<label for="client-name">Name</label><input id="client-name" name="name" required maxlength="200"><button class="button" id="add-client">Add</button></form></section>`;
}

/** A GET form: picking a company is navigation, not a change, so it needs no CSRF token. */
function companyPicker(companies: readonly FattureInCloudCompany[], selected: number | undefined): string {
  if (companies.length === 0) return '<p class="muted">You have no companies.</p>';
  const options = actingCompanies(companies)
    .map(({ id, name, controlled }) => `<option value="${escape(id)}"${id === selected ? ' selected' : ''}>${escape(name)}${controlled ? ' (controlled)' : ''}</option>`)
    .join('');
  return `<form method="get" action="/clients" class="row"><label for="company">Company</label>
<select id="company" name="company">${options}</select><button class="button secondary" id="show">Show clients</button></form>`;
}

/** Every company the user can act for: their own, then each accountant's controlled ones. */
export function actingCompanies(companies: readonly FattureInCloudCompany[]): { id: number; name: string; controlled: boolean }[] {
  return companies.flatMap((company) => [
    ...(typeof company.id === 'number' ? [{ id: company.id, name: company.name ?? `Company ${company.id}`, controlled: false }] : []),
    ...(company.controlled_companies ?? [])
      .filter((controlled): controlled is FattureInCloudCompany & { id: number } => typeof controlled.id === 'number')
      .map((controlled) => ({ id: controlled.id, name: controlled.name ?? `Company ${controlled.id}`, controlled: true })),
  ]);
}

function clientsTable(result: ClientsView['clients']): string {
  if (!result) return '';
  if ('error' in result) return `<p class="error" id="clients-error">${escape(result.error)}</p>`;
  if (result.clients.length === 0) return '<p class="muted" id="clients-empty">This company has no clients yet.</p>';
  const rows = result.clients
    .map((client) => `<tr><td>${escape(client.name)}</td><td>${escape(client.type)}</td><td>${escape(client.vat_number)}</td><td>${escape(client.address_city)}</td><td>${escape(client.email)}</td></tr>`)
    .join('');
  return `<p class="muted">${escape(result.total)} clients</p><table id="clients"><thead><tr><th>Name</th><th>Type</th><th>VAT number</th><th>City</th><th>Email</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function noticeOf(notice: string | undefined): string {
  return notice ? `<p class="notice" id="notice">${escape(notice)}</p>` : '';
}

export function errorPage(message: string, title = 'Something went wrong'): string {
  return layout(
    title,
    `<section class="card"><h1>${escape(title)}</h1><p class="error" id="error-message">${escape(message)}</p>
<p><a class="button" href="/">Back to the home page</a></p></section>`,
  );
}
