/**
 * The clients page's only script (served from /live.js, so the page's CSP
 * needs no inline script): it polls the company's event count and, when a
 * webhook moved it, fetches the page again and swaps the live section in.
 */
export const LIVE_SCRIPT = `const live = document.getElementById('live');
if (live) {
  let seen = live.dataset.changes;
  setInterval(async () => {
    const answer = await fetch(live.dataset.poll, { cache: 'no-store', credentials: 'same-origin' }).catch(() => undefined);
    if (!answer || !answer.ok) return;
    const { changes } = await answer.json();
    if (String(changes) === seen) return;
    seen = String(changes);
    const page = await (await fetch(location.href, { cache: 'no-store', credentials: 'same-origin' })).text();
    const next = new DOMParser().parseFromString(page, 'text/html').getElementById('live');
    if (next) live.replaceChildren(...next.childNodes);
  }, 500);
}
`;
