// The thin DOM part of the records: the view model of records.js as elements, built with
// `el` (text nodes and attributes only: nothing from a record is ever parsed as HTML here).
import { el } from '../shared/view.js';
import { viewModel } from './records.js';
import { unavailableReason } from './errors.js';
import { t, fhirDate } from './i18n.js';

/** Fields whose values are FHIR dates or periods (localised in the view). */
const DATE_FIELDS = new Set(['onset', 'abatement', 'recorded', 'lastOccurrence', 'handedOver', 'effective',
  'occurrence', 'performed', 'period', 'issued']);

const DATE_TOKEN = /\b\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?\b/g;

/** A field's value for reading: dates in the current language. */
const shown = (f) => (DATE_FIELDS.has(f.key) ? f.value.replace(DATE_TOKEN, (d) => fhirDate(d)) : f.value);

/** A hospital by code, with its name when the app knows it. */
const hospitalOf = (code, names) => (names.get(code) ? `${names.get(code)} (${code})` : t('doctor.hospitalCode', { code }));

/** The check mark of a record whose ciphertext the gateway matched with its anchored hash. */
export const verifiedMark = () => el('span', {
  class: 'verified',
  'data-testid': 'verified',
  title: t('doctor.rec.verifiedTitle'),
}, el('span', { class: 'check', 'aria-hidden': 'true' }, '✓'), ' ', t('doctor.rec.verified'));

function itemView(item, names) {
  const head = el('div', { class: 'record-head' },
    el('strong', { class: 'record-title' }, item.title || t('doctor.rec.untitled')));
  if (item.subtitle) head.append(' ', el('span', { class: 'tag' }, t(`doctor.rec.sub.${item.subtitle}`)));
  if (item.group === 'allergy' && item.criticality === 'high') {
    head.append(' ', el('span', { class: 'badge', 'data-testid': 'criticality-high' }, t('doctor.rec.highCriticality')));
  }
  if (item.flag) {
    head.append(' ', el('span', { class: `flag flag-${item.flag}`, 'data-testid': 'flag', 'data-flag': item.flag },
      t(`doctor.rec.flag.${item.flag}`)));
  }
  if (item.type !== 'unknown' && !['AllergyIntolerance', 'Condition', 'Immunization', 'Procedure', 'Observation',
    'DiagnosticReport', 'Encounter'].includes(item.type) && !item.subtitle) {
    head.append(' ', el('span', { class: 'tag' }, item.type));
  }
  const meta = el('div', { class: 'record-meta muted' },
    el('span', { 'data-testid': 'record-source' }, hospitalOf(item.source, names)),
    ' · ',
    el('span', { 'data-testid': 'record-date' }, item.date ? fhirDate(item.date) : t('doctor.rec.noDate')),
    ' · ', verifiedMark());
  const li = el('li', {
    class: `record${item.flag ? ' out-of-range' : ''}`,
    'data-testid': 'record',
    'data-type': item.type,
    'data-group': item.group,
    'data-hash': item.contentHash,
  }, head, meta);
  if (item.fields.length) {
    const dl = el('dl', { class: 'fields' });
    for (const f of item.fields) {
      const value = f.key === 'criticality' ? t(`doctor.rec.crit.${f.value}`) : shown(f);
      dl.append(el('dt', {}, t(`doctor.f.${f.key}`)), el('dd', { 'data-field': f.key }, value));
    }
    li.append(dl);
  }
  if (item.narrative) li.append(el('p', { class: 'narrative', 'data-testid': 'narrative' }, item.narrative));
  if (item.json) {
    li.append(el('details', {}, el('summary', {}, t('doctor.rec.json')),
      el('pre', { class: 'json', 'data-testid': 'record-json' }, item.json)));
  }
  return li;
}

/** The records section: `result` is the FetchResult (pages merged), `names` maps hospital
 * codes to names, `onMore` fetches the next page (shown while `nextOffset` is set). */
export function recordsSection(result, { names = new Map(), onMore = null, busy = false } = {}) {
  const vm = viewModel(result);
  const s = el('section', { class: 'records', 'data-testid': 'records', 'data-count': String(vm.count) },
    el('h2', {}, t('doctor.rec.title')));
  const sources = [...new Set((result.records ?? []).map((r) => r.source))];
  s.append(el('p', { class: 'muted', 'data-testid': 'records-summary' },
    t(vm.records === 0 ? 'doctor.rec.summaryNone' : 'doctor.rec.summary', {
      records: vm.records,
      sources: sources.map((c) => hospitalOf(c, names)).join(', '),
    }), ' ',
    vm.basis ? t(`doctor.rec.basis.${vm.basis}`, { attestation: vm.attestation, block: vm.block }) : ''));
  for (const group of vm.groups) {
    s.append(el('section', { class: `group group-${group.id}`, 'data-testid': 'records-group', 'data-group': group.id },
      el('h3', {}, t(`doctor.group.${group.id}`), ' ', el('span', { class: 'muted' }, `(${group.items.length})`)),
      el('ul', { class: 'record-list' }, ...group.items.map((item) => itemView(item, names)))));
  }
  if (vm.unavailable.length) {
    const box = el('div', { class: 'notice', 'data-testid': 'unavailable' });
    for (const u of vm.unavailable) {
      box.append(el('p', { 'data-source': u.source, 'data-code': String(u.code) },
        t(u.count === 1 ? 'doctor.rec.unavailableOne' : 'doctor.rec.unavailable', {
          hospital: hospitalOf(u.source, names), count: u.count, reason: unavailableReason(u.code),
        }),
        u.reason ? el('small', { class: 'detail' }, u.reason) : null));
    }
    s.append(box);
  }
  if (vm.nextOffset !== null && onMore) {
    const more = el('button', { class: 'secondary', 'data-testid': 'more', onclick: onMore }, t('doctor.rec.more'));
    more.disabled = busy;
    s.append(el('div', { class: 'row' }, more));
  }
  return s;
}
