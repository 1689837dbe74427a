import type { FattureInCloudCompany } from 'passport-fattureincloud';

/** Server-rendered pages; every value from outside goes through `escape`. */

export function escape(value: string | number | null | undefined): string {
  return String(value ?? '').replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const STYLE = `*{box-sizing:border-box}body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f7fb;color:#1d2733}
header{background:#0b5cad;color:#fff;padding:1rem 2rem;display:flex;justify-content:space-between;align-items:center}
header a{color:#fff}main{max-width:56rem;margin:2rem auto;padding:0 1.5rem}
.card{background:#fff;border-radius:12px;box-shadow:0 2px 12px #0001;padding:1.5rem 2rem;margin-bottom:1.5rem}
.button{display:inline-block;background:#0b5cad;color:#fff;border:0;border-radius:8px;padding:.7rem 1.4rem;font:inherit;text-decoration:none;cursor:pointer}
.button.secondary{background:#fff;color:#0b5cad;border:1px solid #0b5cad}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.5rem .6rem;border-bottom:1px solid #e3e8ef}
th{font-size:.8rem;text-transform:uppercase;color:#5a6776}.muted{color:#5a6776}.notice{background:#e8f4ea;border-left:4px solid #2e7d32;padding:.8rem 1rem;border-radius:6px}
.error{background:#fdecea;border-left:4px solid #c62828;padding:.8rem 1rem;border-radius:6px}
.controlled td:first-child{padding-left:2rem}.badge{font-size:.75rem;background:#e3eefa;color:#0b5cad;border-radius:999px;padding:.1rem .6rem}
form{display:inline}`;

export function layout(title: string, body: string, user?: { displayName: string }): string {
  const nav = user ? `<span>${escape(user.displayName)} · <form method="post" action="/logout"><button class="button secondary" id="logout">Log out</button></form></span>` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escape(title)}</title><style>${STYLE}</style></head>
<body><header><strong>passport-fattureincloud example</strong>${nav}</header><main>${body}</main></body></html>`;
}

export function homePage(mode: string): string {
  return layout(
    'Log in with Fatture in Cloud',
    `<section class="card"><h1>Welcome</h1><p>This app signs you in with your Fatture in Cloud account and lists the companies you can act for.</p>
<p><a class="button" id="login" href="/auth/fattureincloud">Log in with Fatture in Cloud</a></p>
<p class="muted">Provider: ${escape(mode)}</p></section>`,
  );
}

export interface ProfileView {
  displayName: string;
  email: string | undefined;
  companies: FattureInCloudCompany[];
  expiresAt: number;
  notice?: string | undefined;
}

export function profilePage(view: ProfileView): string {
  const notice = view.notice ? `<p class="notice" id="notice">${escape(view.notice)}</p>` : '';
  return layout(
    'Your companies',
    `${notice}<section class="card"><h1>Hello, ${escape(view.displayName)}</h1>
<p class="muted">${escape(view.email ?? '')}</p>
<p>Access token expires <strong id="expiry">${escape(new Date(view.expiresAt).toISOString())}</strong>.
<form method="post" action="/refresh"><button class="button secondary" id="refresh">Refresh token</button></form></p></section>
<section class="card"><h2>Your companies</h2>${companiesTable(view.companies)}</section>`,
    view,
  );
}

function companiesTable(companies: FattureInCloudCompany[]): string {
  if (companies.length === 0) return '<p class="muted">No companies.</p>';
  const rows = companies.flatMap((company) => [
    companyRow(company, ''),
    ...(company.controlled_companies ?? []).map((controlled) => companyRow(controlled, 'controlled')),
  ]);
  return `<table id="companies"><thead><tr><th>Name</th><th>Type</th><th>Plan</th><th>Licence expires</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function companyRow(company: FattureInCloudCompany, kind: string): string {
  const marker = kind ? ' <span class="badge">controlled</span>' : '';
  return `<tr class="${kind}"><td>${escape(company.name)}${marker}</td><td>${escape(company.type)}</td><td>${escape(company.fic_plan ?? '—')}</td><td>${escape(company.fic_license_expire ?? '—')}</td></tr>`;
}

export function errorPage(message: string): string {
  return layout(
    'Sign-in problem',
    `<section class="card"><h1>Sign-in problem</h1><p class="error" id="error-message">${escape(message)}</p>
<p><a class="button" href="/">Back to the home page</a></p></section>`,
  );
}
