import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import { EVENT_TYPES, EventType, expandEventType, isEventType, WELCOME_EVENT } from '../lib/webhooks/index';

/** Every `enum` titled EventType in the official spec (test/fixtures/openapi-enriched.yaml). */
function specEventTypes(): string[][] {
  const spec = parse(readFileSync(join(__dirname, 'fixtures', 'openapi-enriched.yaml'), 'utf8')) as unknown;
  const found: string[][] = [];
  const walk = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    const { title, enum: values } = node as { title?: unknown; enum?: unknown };
    if (title === 'EventType' && Array.isArray(values)) found.push(values as string[]);
    for (const child of Object.values(node)) walk(child);
  };
  walk(spec);
  return found;
}

describe('the webhook event types', () => {
  it('are the official spec\'s EventType, in its order, wherever the spec lists them', () => {
    const lists = specEventTypes();
    expect(lists.length).to.be.at.least(5);
    for (const list of lists) expect(list).to.deep.equal([...EVENT_TYPES]);
    expect(EVENT_TYPES).to.have.length(78);
  });

  it('have a constant each, named as Scope names the scopes, the welcome event included', () => {
    expect(EventType.ENTITIES_CLIENTS_CREATE).to.equal('it.fattureincloud.webhooks.entities.clients.create');
    expect(EventType.ISSUED_DOCUMENTS_SELF_OWN_INVOICES_EMAIL_SENT).to.equal('it.fattureincloud.webhooks.issued_documents.self_own_invoices.email_sent');
    expect(EventType.SUBSCRIPTIONS_WELCOME).to.equal(WELCOME_EVENT);
    expect(Object.values(EventType)).to.have.length(79);
    expect(Object.isFrozen(EventType)).to.equal(true);
  });

  it('expand group types to their members, and know what is one of theirs', () => {
    expect(expandEventType(EventType.ENTITIES_ALL_DELETE)).to.deep.equal([EventType.ENTITIES_CLIENTS_DELETE, EventType.ENTITIES_SUPPLIERS_DELETE]);
    expect(expandEventType(EventType.ISSUED_DOCUMENTS_ALL_CREATE)).to.have.length(11);
    expect(expandEventType('it.fattureincloud.webhooks.something.new')).to.deep.equal(['it.fattureincloud.webhooks.something.new']);
    expect([isEventType(EventType.PRODUCTS_STOCK_UPDATE), isEventType('it.fattureincloud.webhooks.something.new'), isEventType(7)]).to.deep.equal([true, false, false]);
  });
});
