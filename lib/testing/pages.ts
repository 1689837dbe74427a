/** The stand-in's consent and error pages: plain HTML, every value escaped. */

export function escapeHTML(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;background:#eef3f8;margin:0;display:grid;place-items:center;min-height:100vh}
main{background:#fff;border-radius:12px;box-shadow:0 4px 20px #0002;padding:2rem 2.5rem;max-width:28rem}
h1{font-size:1.3rem;margin-top:0;color:#0b5cad}ul{padding-left:1.2rem}code{background:#f2f2f2;padding:0 .3em;border-radius:4px}
.actions{display:flex;gap:1rem;margin-top:1.5rem}button{font:inherit;padding:.6rem 1.4rem;border-radius:8px;border:1px solid #0b5cad;cursor:pointer}
.approve{background:#0b5cad;color:#fff}.deny{background:#fff;color:#0b5cad}.note{color:#666;font-size:.85rem}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHTML(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

export interface ConsentPage {
  appName: string;
  userName: string;
  scopes: readonly string[];
  hidden: Record<string, string>;
}

export function consentPage({ appName, userName, scopes, hidden }: ConsentPage): string {
  const fields = Object.entries(hidden)
    .map(([name, value]) => `<input type="hidden" name="${escapeHTML(name)}" value="${escapeHTML(value)}">`)
    .join('');
  const scopeItems = scopes.length
    ? scopes.map((scope) => `<li><code>${escapeHTML(scope)}</code></li>`).join('')
    : '<li>No scopes: only who you are and your companies.</li>';
  return page(
    'Fatture in Cloud: authorize',
    `<h1>Fatture in Cloud (stand-in)</h1>
<p>Signed in as <strong>${escapeHTML(userName)}</strong>.</p>
<p><strong>${escapeHTML(appName)}</strong> asks for access to your data:</p>
<ul id="scopes">${scopeItems}</ul>
<form method="post" action="/oauth/authorize">${fields}
<div class="actions"><button class="approve" name="decision" value="approve">Approve</button>
<button class="deny" name="decision" value="deny">Deny</button></div></form>
<p class="note">An offline stand-in for Fatture in Cloud, for development and tests.</p>`,
  );
}

export function errorPage(message: string): string {
  return page('Fatture in Cloud: error', `<h1>Authorization error</h1><p id="error">${escapeHTML(message)}</p>`);
}
