import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { createSealer } from '../lib/seal';

describe('sealing (AES-256-GCM)', () => {
  const key = randomBytes(32);

  it('opens what it sealed, for the same context only', () => {
    const sealer = createSealer([key], 'test key');
    const sealed = sealer.seal('{"a":1}', 'user-1');
    expect(sealed).to.match(/^v1\.[\w-]+$/);
    expect(sealer.open(sealed, 'user-1')).to.equal('{"a":1}');
    expect(sealer.open(sealed, 'user-2')).to.equal(undefined);
  });

  it('refuses what was changed, cut short, or not sealed at all', () => {
    const sealer = createSealer([key], 'test key');
    const sealed = sealer.seal('secret text', 'ctx');
    const flipped = `${sealed.slice(0, -2)}${sealed.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const value of [flipped, 'v1.AAAA', 'plain text', sealed.replace('v1.', 'v2.')]) expect(sealer.open(value, 'ctx')).to.equal(undefined);
  });

  it('takes a key as bytes, hex or base64, and says what was wrong with a bad one without echoing it', () => {
    const forms = [new Uint8Array(key), key.toString('hex'), key.toString('base64'), key.toString('base64url')];
    const sealed = createSealer([key], 'k').seal('x', 'c');
    for (const form of forms) expect(createSealer([form], 'k').open(sealed, 'c')).to.equal('x');
    expect(() => createSealer([], 'the key')).to.throw(TypeError, /the key needs at least one key/);
    expect(() => createSealer([randomBytes(16)], 'the key')).to.throw(TypeError, /got 16 bytes/);
    expect(() => createSealer(['not-a-key'], 'the key')).to.throw(TypeError, /neither hex nor base64/).and.not.to.match(/not-a-key/);
    expect(() => createSealer([42 as never], 'the key')).to.throw(TypeError, /got number/);
  });

  it('opens with every key of a rotation, seals with the first', () => {
    const next = randomBytes(32);
    const old = createSealer([key], 'k').seal('x', 'c');
    const rotated = createSealer([next, key], 'k');
    expect(rotated.open(old, 'c')).to.equal('x');
    expect(createSealer([next], 'k').open(rotated.seal('y', 'c'), 'c')).to.equal('y');
  });
});
