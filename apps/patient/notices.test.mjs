// patient/notices.js: what is new since the patient last looked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NOTHING_SEEN, seenFrom, noticesSince, anyNotice, toNotify } from './notices.js';

const access = (index, kind = 'grant') => ({ index, block: 10 + index, entry: { hospital: 'H0001', practitioner: 'MD1', categories: ['diagnosis'], basis: { kind, id: '0' }, at: 1000 + index } });
const log = (entries, verified = true) => ({ verified, proven: true, count: entries.length, block: 20, entries: [...entries].reverse() });
const request = (id) => ({ id, hospital: 'H0002', practitioner: 'MD2', categories: ['medication'], purpose: 'treatment', expiresAt: 5000 });
const grant = (requestId) => ({ requestId, hospital: 'H0002', practitioner: 'MD2', categories: ['diagnosis'], purpose: 'treatment', expiresAt: 9000 });

test('on a first look everything in the verified log and every pending request is new', () => {
  const now = { log: log([access(0), access(1, 'emergency')]), pending: [request(4)], grants: [grant(3)] };
  const n = noticesSince(null, now);
  assert.deepEqual(n.accesses.map((a) => a.index), [1, 0], 'the emergency first');
  assert.equal(n.accesses[0].emergency, true);
  assert.deepEqual(n.requests.map((r) => r.id), [4]);
  assert.deepEqual(n.endedGrants, []);
  assert.ok(anyNotice(n));
});

test('after marking as seen nothing is new, until the log grows, a request comes or a grant ends', () => {
  const before = { log: log([access(0)]), pending: [request(4)], grants: [grant(3)] };
  const seen = seenFrom(before);
  assert.deepEqual(seen, { accessCount: 1, requests: [4], grants: [{ requestId: 3, hospital: 'H0002', practitioner: 'MD2', categories: ['diagnosis'] }] });
  assert.equal(anyNotice(noticesSince(seen, before)), false);
  const after = { log: log([access(0), access(1), access(2, 'emergency')]), pending: [request(4), request(5)], grants: [] };
  const n = noticesSince(seen, after);
  assert.deepEqual(n.accesses.map((a) => a.index), [2, 1]);
  assert.deepEqual(n.requests.map((r) => r.id), [5], 'the request already seen is not new');
  assert.deepEqual(n.endedGrants.map((g) => g.requestId), [3]);
});

test('a log that failed its check, or rests on the node\'s word, reports no access and says so', () => {
  const unproven = { ...log([access(0)]), proven: false };
  for (const l of [log([access(0)], false), unproven]) {
    const n = noticesSince(NOTHING_SEEN, { log: l, pending: [], grants: [] });
    assert.deepEqual(n.accesses, []);
    assert.equal(n.unchecked, true);
  }
  const previous = { accessCount: 3, requests: [], grants: [] };
  assert.equal(seenFrom({ log: unproven, pending: [], grants: [] }, previous).accessCount, 3,
    'an unreliable log never moves the mark');
  assert.equal(seenFrom({ log: log([access(0)], false), pending: [], grants: [] }).accessCount, 0);
});

test('a browser notification goes out once for each new request and each new emergency access', () => {
  const notified = new Set();
  const n = noticesSince(null, { log: log([access(0), access(1, 'emergency')]), pending: [request(7)], grants: [] });
  assert.deepEqual(toNotify(n, notified).map((x) => x.key), ['request-7', 'access-1'], 'not the ordinary access');
  assert.deepEqual(toNotify(n, notified), [], 'each only once');
});

test('a mark past the log (a chain started anew) counts as nothing seen', () => {
  const n = noticesSince({ accessCount: 9, requests: [], grants: [] }, { log: log([access(0)]), pending: [], grants: [] });
  assert.deepEqual(n.accesses.map((a) => a.index), [0]);
});

test('entries the pages did not reach are not marked as seen', () => {
  // Five entries in the log, the newest two shown (a longer log than the pages read).
  const partial = { verified: true, proven: true, count: 5, block: 20, entries: [access(4), access(3)] };
  const now = { log: partial, pending: [], grants: [] };
  assert.equal(seenFrom(now, { accessCount: 1, requests: [], grants: [] }).accessCount, 1, 'positions 1 and 2 were not shown');
  assert.equal(seenFrom(now, { accessCount: 3, requests: [], grants: [] }).accessCount, 5, 'everything new was shown');
});
