// What happened since the patient last looked (issue 32, notice of every access): new
// accesses in their verified access log (emergencies first), new consent requests, and grants
// that ended, against what this browser marked as seen. Pure functions over the app's state,
// so they are tested on their own (notices.test.mjs); the page keeps the mark in this
// browser's storage, one per health ID.

/** What the patient has seen: the access-log length, the pending requests and the live grants
 * at the time they marked it (`seenFrom`). */
export const NOTHING_SEEN = Object.freeze({ accessCount: 0, requests: [], grants: [] });

/** A grant's identity across reads: the request it came from. */
const grantKey = (g) => g.requestId;

/** Whether a log (from `Chain.verifiedLog`) can be relied on: its pages match a head the
 * light client proved. A log that only matches the serving node's own head is not: a lying
 * node could show a consistent log of its own making. */
const reliable = (log) => Boolean(log?.verified && log?.proven);

/** The mark to keep once the patient has seen `now` (`{ log, pending, grants }`); `previous`
 * is the mark before, whose log position stays when `now`'s log cannot be relied on. */
export function seenFrom(now, previous = null) {
  const mark = previous ?? NOTHING_SEEN;
  if (!reliable(now.log)) return { ...seenRequestsAndGrants(now), accessCount: mark.accessCount };
  const before = markIn(mark, now.log);
  return {
    ...seenRequestsAndGrants(now),
    accessCount: shownSince(now.log, before) ? now.log.count : before,
  };
}

/** The requests and grants part of a mark. */
function seenRequestsAndGrants(now) {
  return {
    requests: now.pending.map((r) => r.id),
    grants: now.grants.map((g) => ({ requestId: g.requestId, hospital: g.hospital, practitioner: g.practitioner, categories: g.categories })),
  };
}

/** The mark's log position, for `log`: a mark past the log's end (a chain started anew
 * under the same health ID) counts as nothing seen. */
const markIn = (mark, log) => (log && mark.accessCount > log.count ? 0 : mark.accessCount);

/** Whether `log`'s entries shown reach back to position `from` (a log longer than the pages
 * read shows only its newest part: what was not shown is not seen). */
const shownSince = (log, from) => log.count - log.entries.length <= from;

/** What is new in `now` against `seen`: `{ accesses, requests, endedGrants, unchecked }`.
 * `accesses` are the verified log's entries past the mark, emergencies first, then newest
 * first; `unchecked` is true when the log cannot be relied on (it failed its check, or its
 * head is the serving node's word): its entries are then not reported at all. `requests` are pending requests not pending at the mark; `endedGrants` are
 * grants live at the mark and live no more (expired, revoked or ended by a withdrawal). */
export function noticesSince(seen, now) {
  const mark = seen ?? NOTHING_SEEN;
  const log = now.log;
  const unchecked = !reliable(log);
  const from = markIn(mark, log);
  const accesses = unchecked ? [] : log.entries
    .filter((e) => e.index >= from)
    .map((e) => ({ ...e, emergency: e.entry.basis.kind === 'emergency' }))
    .sort((a, b) => (b.emergency - a.emergency) || (b.index - a.index));
  const pendingBefore = new Set(mark.requests);
  const requests = now.pending.filter((r) => !pendingBefore.has(r.id));
  const live = new Set(now.grants.map(grantKey));
  const endedGrants = mark.grants.filter((g) => !live.has(grantKey(g)));
  return { accesses, requests, endedGrants, unchecked };
}

/** Whether there is anything to tell. */
export const anyNotice = (n) => n.accesses.length > 0 || n.requests.length > 0 || n.endedGrants.length > 0;

/** The notices worth a browser notification, each once: new requests and emergency accesses,
 * as `{ key, kind, item }` not in `notified` (a Set of keys, updated). */
export function toNotify(n, notified) {
  const out = [];
  for (const r of n.requests) out.push({ key: `request-${r.id}`, kind: 'request', item: r });
  for (const a of n.accesses) if (a.emergency) out.push({ key: `access-${a.index}`, kind: 'emergency', item: a });
  const fresh = out.filter((x) => !notified.has(x.key));
  for (const x of fresh) notified.add(x.key);
  return fresh;
}
