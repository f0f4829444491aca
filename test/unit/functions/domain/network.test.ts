import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { clientAddress, networkOf } from '../../../../functions/src/domain/network.js';

describe('clientAddress', () => {
  it('takes the last X-Forwarded-For entry: the one our front end appended', () => {
    assert.equal(clientAddress('203.0.113.7', '10.0.0.1'), '203.0.113.7');
    // What the client wrote itself comes first and is ignored.
    assert.equal(clientAddress('1.2.3.4, 198.51.100.9', '10.0.0.1'), '198.51.100.9');
    assert.equal(clientAddress(['1.2.3.4', '198.51.100.9'], undefined), '198.51.100.9');
  });

  it('skips the entries of proxies of our own after the client', () => {
    assert.equal(clientAddress('1.2.3.4, 198.51.100.9, 10.1.2.3', undefined, 1), '198.51.100.9');
    assert.equal(clientAddress('198.51.100.9', undefined, 1), null, 'fewer entries than hops: unknown');
  });

  it("falls back to the socket's peer without the header", () => {
    assert.equal(clientAddress(undefined, '192.0.2.1'), '192.0.2.1');
    assert.equal(clientAddress('', '::ffff:192.0.2.1'), '::ffff:192.0.2.1');
  });

  it('accepts bracketed IPv6 with a port and zone ids; refuses anything that is not an address', () => {
    assert.equal(clientAddress('[2001:db8::1]:443', undefined), '2001:db8::1');
    assert.equal(clientAddress(undefined, 'fe80::1%eth0'), 'fe80::1');
    assert.equal(clientAddress('unknown', undefined), null);
    assert.equal(clientAddress(undefined, undefined), null);
    assert.equal(clientAddress('1.2.3.4, not-an-ip', undefined), null);
  });
});

describe('networkOf', () => {
  it('is the /24 of an IPv4 address', () => {
    assert.equal(networkOf('203.0.113.7'), 'v4:203.0.113');
    assert.equal(networkOf('203.0.113.250'), networkOf('203.0.113.1'));
    assert.notEqual(networkOf('203.0.114.7'), networkOf('203.0.113.7'));
  });

  it('is the /48 of an IPv6 address, however it is written', () => {
    assert.equal(networkOf('2001:db8:1:2::1'), 'v6:2001:db8:1');
    assert.equal(networkOf('2001:0DB8:0001:ffff:0:0:0:9'), 'v6:2001:db8:1');
    assert.equal(networkOf('2001:db8::'), 'v6:2001:db8:0');
    assert.equal(networkOf('::1'), 'v6:0:0:0');
    assert.notEqual(networkOf('2001:db8:2::1'), networkOf('2001:db8:1::1'));
  });

  it('counts an IPv4-mapped IPv6 address as its IPv4 address', () => {
    assert.equal(networkOf('::ffff:203.0.113.7'), 'v4:203.0.113');
    assert.equal(networkOf('::ffff:cb00:7107'), 'v4:203.0.113');
  });

  it('is null for anything else', () => {
    for (const text of ['', 'localhost', '203.0.113', '1.2.3.4.5', '2001:db8::1::2', '::ffff:1.2.3']) {
      assert.equal(networkOf(text), null, text);
    }
  });
});
