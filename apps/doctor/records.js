// The records of a `gateway_fetch` answer as a clinician reads them: a pure view model, with
// no DOM and no language (labels are keys; `records-view.js` turns them into words and
// elements). Every value taken from a record is a plain string: a record's narrative HTML is
// reduced to its text (`htmlToText`), never handed to the page as markup.
//
// Groups, in reading order: drug allergies (high criticality first), diagnoses, medication
// (dispensed and taken), vaccines, procedures, lab results, imaging summaries, measurements,
// visits, sensitive data (whatever a `sensitive` record holds), then anything else. Within a
// group the newest item comes first; undated items last.

/** The groups in the order a clinician reads them. */
export const GROUPS = [
  'allergy', 'diagnosis', 'medication', 'vaccine', 'procedure', 'lab', 'imaging',
  'measurement', 'visit', 'sensitive', 'other',
];

/** The resource types rendered field by field (the rest: narrative or JSON). */
export const KNOWN_TYPES = [
  'AllergyIntolerance', 'Condition', 'MedicationDispense', 'MedicationStatement',
  'MedicationRequest', 'Immunization', 'Procedure', 'Observation', 'DiagnosticReport', 'Encounter',
];

// ------------------------------------------------------------------ FHIR data types as text

const str = (v) => (v === undefined || v === null ? '' : String(v));
const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const list = (v) => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
const joined = (parts, sep = ', ') => parts.map(str).filter((p) => p !== '').join(sep);

/** A Coding as words: its display, else its code. */
export function coding(c) {
  if (!isObj(c)) return str(c);
  return str(c.display) || str(c.code);
}

/** A CodeableConcept (or a list of them, or an R5 CodeableReference, or a Reference) as
 * words: its text, else its codings' displays, else their codes. */
export function concept(cc) {
  if (Array.isArray(cc)) return joined(cc.map(concept));
  if (!isObj(cc)) return str(cc);
  if (isObj(cc.concept)) return concept(cc.concept);
  if (isObj(cc.reference)) return str(cc.reference.display);
  if (cc.text) return str(cc.text);
  const codings = list(cc.coding).filter(isObj);
  const shown = codings.map((c) => str(c.display)).filter(Boolean);
  if (shown.length) return joined([...new Set(shown)]);
  if (codings.length) return joined(codings.map((c) => c.code));
  return str(cc.display);
}

/** A Quantity: comparator, value and unit (`5.4 mmol/L`). */
export function quantity(q) {
  if (!isObj(q) || q.value === undefined || q.value === null) return '';
  const unit = str(q.unit) || str(q.code);
  return `${str(q.comparator)}${q.value}${unit ? ` ${unit}` : ''}`;
}

const unitOf = (q) => (isObj(q) ? str(q.unit) || str(q.code) : '');

/** One reference range: `3.5–5.0 mmol/L`, `≥ 3.5 mmol/L`, `≤ 5.0 mmol/L`, or its text. */
export function range(r) {
  if (!isObj(r)) return '';
  const low = isObj(r.low) && r.low.value !== undefined ? r.low : null;
  const high = isObj(r.high) && r.high.value !== undefined ? r.high : null;
  let text = '';
  if (low && high) {
    const lu = unitOf(low);
    const hu = unitOf(high);
    text = lu === hu ? `${low.value}–${high.value}${hu ? ` ${hu}` : ''}` : `${quantity(low)} – ${quantity(high)}`;
  } else if (low) text = `≥ ${quantity(low)}`;
  else if (high) text = `≤ ${quantity(high)}`;
  const extra = joined([r.text, concept(r.appliesTo), r.age ? rangeOfAge(r.age) : '']);
  if (!text) return extra;
  return extra ? `${text} (${extra})` : text;
}

const rangeOfAge = (age) => {
  const lo = isObj(age.low) ? age.low.value : undefined;
  const hi = isObj(age.high) ? age.high.value : undefined;
  return lo !== undefined || hi !== undefined ? `age ${lo ?? ''}–${hi ?? ''}` : '';
};

/** A Period: `start – end` (FHIR dates as written; the view localises them). */
export function period(p) {
  if (!isObj(p)) return '';
  if (p.start && p.end) return `${p.start} – ${p.end}`;
  if (p.start) return `${p.start} –`;
  if (p.end) return `– ${p.end}`;
  return '';
}

/** A choice element `prefix[x]` (`onsetDateTime`, `onsetPeriod`, ...) as text. */
function choice(res, prefix) {
  for (const [k, v] of Object.entries(res)) {
    if (!k.startsWith(prefix) || k.length === prefix.length) continue;
    const kind = k.slice(prefix.length);
    if (!/^[A-Z]/.test(kind)) continue;
    switch (kind) {
      case 'Period': return period(v);
      case 'Quantity': case 'Age': case 'Duration': return quantity(v);
      case 'Range': return range(v);
      case 'CodeableConcept': return concept(v);
      case 'Reference': return isObj(v) ? str(v.display) : '';
      case 'Boolean': return v ? 'yes' : 'no';
      case 'Ratio': return isObj(v) ? `${quantity(v.numerator)} / ${quantity(v.denominator)}` : '';
      case 'SampledData': case 'Attachment': return '';
      default: return isObj(v) ? '' : str(v);
    }
  }
  return '';
}

/** Notes (Annotation list) as text. */
const notes = (res) => joined(list(res.note).map((n) => (isObj(n) ? n.text : n)), ' · ');

/** Dosage instructions as text: each dosage's own text, else its dose, timing and route. */
export function dosage(d) {
  return joined(list(d).map((x) => {
    if (!isObj(x)) return '';
    if (x.text) return x.text;
    const dr = list(x.doseAndRate)[0];
    const dose = isObj(dr) ? quantity(dr.doseQuantity) || range(dr.doseRange) : '';
    const timing = isObj(x.timing) ? concept(x.timing.code) || repeat(x.timing.repeat) : '';
    return joined([dose, timing, concept(x.route), x.asNeededBoolean ? 'as needed' : concept(x.asNeededCodeableConcept)], ' ');
  }), '; ');
}

const repeat = (r) => {
  if (!isObj(r) || r.frequency === undefined || r.period === undefined) return '';
  return `${r.frequency}× per ${r.period === 1 ? '' : `${r.period} `}${str(r.periodUnit)}`.replace('  ', ' ');
};

/** The medication of a medication resource (R4 `medicationCodeableConcept` or
 * `medicationReference`, R5 `medication` CodeableReference). */
const medication = (res) => concept(res.medicationCodeableConcept)
  || (isObj(res.medicationReference) ? str(res.medicationReference.display) : '')
  || concept(res.medication);

/** The first usable date of a resource, by the order of `keys` (choice prefixes or plain
 * elements): a FHIR date or dateTime string, or null. */
function firstDate(res, keys) {
  for (const key of keys) {
    const v = res[key];
    if (typeof v === 'string' && v) return v;
    for (const [k, w] of Object.entries(res)) {
      if (!k.startsWith(key) || k === key) continue;
      const kind = k.slice(key.length);
      if (kind === 'DateTime' && typeof w === 'string') return w;
      if (kind === 'Period' && isObj(w) && (w.start || w.end)) return w.start ?? w.end;
      if (kind === 'Instant' && typeof w === 'string') return w;
    }
    if (isObj(v) && (v.start || v.end)) return v.start ?? v.end; // a plain Period
  }
  return null;
}

/** A FHIR date or dateTime as milliseconds, or null. */
export function timeOf(date) {
  if (!date) return null;
  const ms = Date.parse(date);
  return Number.isNaN(ms) ? null : ms;
}

// ------------------------------------------------------------------ narrative

/** A narrative's XHTML reduced to plain text: with the browser's DOMParser (an inert
 * document: nothing runs, nothing loads), else with a tag-stripping fallback. Block
 * boundaries become line breaks. */
export function htmlToText(html) {
  const source = str(html);
  if (typeof globalThis.DOMParser === 'function') {
    const doc = new globalThis.DOMParser().parseFromString(source, 'text/html');
    for (const bad of doc.querySelectorAll('script, style, template')) bad.remove();
    for (const block of doc.querySelectorAll('p, div, br, li, tr, h1, h2, h3, h4, h5, h6, table, ul, ol')) {
      block.append(doc.createTextNode('\n'));
    }
    for (const cell of doc.querySelectorAll('td, th')) cell.append(doc.createTextNode(' '));
    return tidy(doc.body.textContent ?? '');
  }
  return stripTags(source);
}

/** The fallback: tags removed (script and style content too), entities decoded. */
export function stripTags(html) {
  const text = str(html)
    .replace(/<(script|style|template)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<(br|\/p|\/div|\/li|\/tr|\/h[1-6]|\/table|\/ul|\/ol)\b[^>]*>/gi, '\n')
    .replace(/<\/?(td|th)\b[^>]*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e) => {
      const named = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
      if (e[0] !== '#') return named[e.toLowerCase()] ?? m;
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : m;
    });
  return tidy(text);
}

const tidy = (text) => text.split('\n').map((l) => l.replace(/\s+/g, ' ').trim()).filter(Boolean).join('\n');

// ------------------------------------------------------------------ resources to items

const field = (key, value) => ({ key, value: str(value) });

/** Observation values and flags. */
function observationValue(obs) {
  const v = choice(obs, 'value');
  if (v) return v;
  return joined(list(obs.component).map((c) => {
    const cv = isObj(c) ? choice(c, 'value') : '';
    return cv ? `${concept(c.code)}: ${cv}` : '';
  }), '; ');
}

const HIGH = new Set(['H', 'HH', 'HU', '>', 'HX']);
const LOW = new Set(['L', 'LL', 'LU', '<', 'LX']);
const ABNORMAL = new Set(['A', 'AA', 'POS', 'DET', 'R', 'W', 'IND', 'E', 'RR']);

/** Whether an observation (or component) is out of range: `high`, `low`, `abnormal` or null.
 * The interpretation's code decides; without one, the value is compared with the first
 * numeric reference range in the same unit. */
export function flagOf(obs) {
  for (const c of list(obs.interpretation).flatMap((i) => list(isObj(i) ? i.coding : []))) {
    const code = str(c?.code).toUpperCase();
    if (HIGH.has(code)) return 'high';
    if (LOW.has(code)) return 'low';
    if (ABNORMAL.has(code)) return 'abnormal';
  }
  const q = obs.valueQuantity;
  if (isObj(q) && typeof q.value === 'number') {
    for (const r of list(obs.referenceRange)) {
      if (!isObj(r)) continue;
      const unit = unitOf(q);
      const sameUnit = (b) => !unitOf(b) || !unit || unitOf(b) === unit;
      if (isObj(r.low) && typeof r.low.value === 'number' && sameUnit(r.low) && q.value < r.low.value) return 'low';
      if (isObj(r.high) && typeof r.high.value === 'number' && sameUnit(r.high) && q.value > r.high.value) return 'high';
      if ((isObj(r.low) && typeof r.low.value === 'number') || (isObj(r.high) && typeof r.high.value === 'number')) return null;
    }
  }
  for (const c of list(obs.component)) {
    if (isObj(c)) {
      const f = flagOf(c);
      if (f) return f;
    }
  }
  return null;
}

const LAB_CATEGORIES = new Set(['laboratory', 'lab', 'ch', 'hm', 'mb', 'sp', 'cp', 'bg', 'cg', 'cus', 'imm', 'ser', 'spt', 'tx', 'vr']);
const IMAGING_CATEGORIES = new Set(['imaging', 'rad', 'ct', 'rx', 'us', 'nmr', 'nms', 'ous', 'vus', 'xrc', 'cth', 'lp29684-5', 'radiology']);
const MEASUREMENT_CATEGORIES = new Set(['vital-signs', 'exam', 'survey', 'activity', 'social-history', 'therapy', 'procedure']);

const categoryCodes = (res) => list(res.category)
  .flatMap((c) => (isObj(c) ? [...list(c.coding).map((x) => str(x?.code)), str(c.text)] : [str(c)]))
  .map((c) => c.toLowerCase())
  .filter(Boolean);

function observationGroup(obs, recordCategory) {
  const codes = categoryCodes(obs);
  if (codes.some((c) => LAB_CATEGORIES.has(c))) return 'lab';
  if (codes.some((c) => IMAGING_CATEGORIES.has(c))) return 'imaging';
  if (codes.some((c) => MEASUREMENT_CATEGORIES.has(c))) return 'measurement';
  if (recordCategory === 'labAndImaging') return 'lab';
  if (recordCategory === 'measurement') return 'measurement';
  return list(obs.referenceRange).length ? 'lab' : 'measurement';
}

function reportGroup(report) {
  const codes = categoryCodes(report);
  if (codes.some((c) => IMAGING_CATEGORIES.has(c))) return 'imaging';
  if (codes.some((c) => LAB_CATEGORIES.has(c))) return 'lab';
  return 'imaging';
}

/** Per resource type: its group, title, date and fields. */
const RENDER = {
  AllergyIntolerance: (r) => ({
    group: 'allergy',
    title: concept(r.code),
    date: firstDate(r, ['recordedDate', 'onset', 'lastOccurrence', 'lastReactionOccurrence']),
    criticality: str(r.criticality) || null,
    fields: [
      field('criticality', r.criticality),
      field('allergyType', concept(r.type)),
      field('allergyCategory', joined(list(r.category))),
      field('reaction', joined(list(r.reaction).map((x) => (isObj(x)
        ? joined([concept(list(x.manifestation)), x.severity ? `(${x.severity})` : '', x.description], ' ')
        : '')), '; ')),
      field('clinicalStatus', concept(r.clinicalStatus)),
      field('verificationStatus', concept(r.verificationStatus)),
      field('onset', choice(r, 'onset')),
      field('recorded', r.recordedDate),
      field('lastOccurrence', r.lastOccurrence),
      field('note', notes(r)),
    ],
  }),
  Condition: (r) => ({
    group: 'diagnosis',
    title: concept(r.code),
    date: firstDate(r, ['onset', 'recordedDate']),
    fields: [
      field('clinicalStatus', concept(r.clinicalStatus)),
      field('verificationStatus', concept(r.verificationStatus)),
      field('severity', concept(r.severity)),
      field('conditionCategory', concept(list(r.category))),
      field('bodySite', concept(list(r.bodySite))),
      field('onset', choice(r, 'onset')),
      field('abatement', choice(r, 'abatement')),
      field('recorded', r.recordedDate),
      field('note', notes(r)),
    ],
  }),
  MedicationDispense: (r) => ({
    group: 'medication',
    title: medication(r),
    subtitle: 'dispensed',
    date: firstDate(r, ['whenHandedOver', 'whenPrepared']),
    fields: [
      field('dosage', dosage(r.dosageInstruction)),
      field('quantity', quantity(r.quantity)),
      field('daysSupply', quantity(r.daysSupply)),
      field('status', r.status),
      field('handedOver', r.whenHandedOver),
      field('note', notes(r)),
    ],
  }),
  MedicationStatement: (r) => ({
    group: 'medication',
    title: medication(r),
    subtitle: 'taken',
    date: firstDate(r, ['effective', 'dateAsserted']),
    fields: [
      field('dosage', dosage(r.dosage)),
      field('status', r.status),
      field('effective', choice(r, 'effective')),
      field('reason', concept([...list(r.reasonCode), ...list(r.reason)])),
      field('note', notes(r)),
    ],
  }),
  MedicationRequest: (r) => ({
    group: 'medication',
    title: medication(r),
    subtitle: 'prescribed',
    date: firstDate(r, ['authoredOn']),
    fields: [
      field('dosage', dosage(r.dosageInstruction)),
      field('status', r.status),
      field('reason', concept([...list(r.reasonCode), ...list(r.reason)])),
      field('note', notes(r)),
    ],
  }),
  Immunization: (r) => ({
    group: 'vaccine',
    title: concept(r.vaccineCode),
    date: firstDate(r, ['occurrence', 'recorded']),
    fields: [
      field('doseNumber', joined(list(r.protocolApplied).map((p) => (isObj(p)
        ? str(p.doseNumberPositiveInt ?? p.doseNumberString ?? p.doseNumber) : '')))),
      field('status', r.status),
      field('occurrence', choice(r, 'occurrence')),
      field('doseQuantity', quantity(r.doseQuantity)),
      field('lotNumber', r.lotNumber),
      field('site', concept(r.site)),
      field('route', concept(r.route)),
      field('note', notes(r)),
    ],
  }),
  Procedure: (r) => ({
    group: 'procedure',
    title: concept(r.code),
    date: firstDate(r, ['performed', 'occurrence']),
    fields: [
      field('status', r.status),
      field('performed', choice(r, 'performed') || choice(r, 'occurrence')),
      field('bodySite', concept(list(r.bodySite))),
      field('reason', concept([...list(r.reasonCode), ...list(r.reason)])),
      field('outcome', concept(r.outcome)),
      field('note', notes(r)),
    ],
  }),
  Observation: (r, record) => ({
    group: observationGroup(r, record.category),
    title: concept(r.code),
    date: firstDate(r, ['effective', 'issued']),
    flag: flagOf(r),
    fields: [
      field('value', observationValue(r) || concept(r.dataAbsentReason)),
      field('referenceRange', joined(list(r.referenceRange).map(range), '; ')),
      field('interpretation', concept(list(r.interpretation))),
      field('status', r.status),
      field('bodySite', concept(r.bodySite)),
      field('method', concept(r.method)),
      field('note', notes(r)),
    ],
  }),
  DiagnosticReport: (r) => ({
    group: reportGroup(r),
    title: concept(r.code),
    date: firstDate(r, ['effective', 'issued']),
    fields: [
      field('conclusion', r.conclusion),
      field('conclusionCode', concept(list(r.conclusionCode))),
      field('status', r.status),
      field('issued', r.issued),
      field('performer', joined(list(r.performer).map((p) => (isObj(p) ? p.display : '')))),
    ],
  }),
  Encounter: (r) => {
    const cls = Array.isArray(r.class) ? concept(r.class) : coding(r.class);
    return {
      group: 'visit',
      title: concept(list(r.type)) || concept(r.serviceType) || cls,
      date: firstDate(r, ['period', 'actualPeriod']),
      fields: [
        field('encounterClass', cls),
        field('serviceType', concept(r.serviceType)),
        field('period', period(r.period ?? r.actualPeriod)),
        field('reason', concept([...list(r.reasonCode),
          ...list(r.reason).flatMap((x) => (isObj(x) && x.value ? list(x.value) : [x]))])),
        field('diagnosis', joined(list(r.diagnosis).map((d) => (isObj(d)
          ? (isObj(d.condition) ? str(d.condition.display) : concept(list(d.condition))) : '')))),
        field('location', joined(list(r.location).map((l) => (isObj(l) && isObj(l.location) ? l.location.display : '')))),
        field('serviceProvider', isObj(r.serviceProvider) ? r.serviceProvider.display : ''),
        field('discharge', concept(r.hospitalization?.dischargeDisposition ?? r.admission?.dischargeDisposition)),
        field('status', r.status),
      ],
    };
  },
};

/** The clinical resources of a record's bundle (entries' resources; nested bundles
 * flattened; a bare resource taken as is). */
export function resourcesOf(bundle, depth = 0) {
  if (!isObj(bundle) || depth > 4) return [];
  if (bundle.resourceType !== 'Bundle') return [bundle];
  return list(bundle.entry).flatMap((e) => (isObj(e) && isObj(e.resource) ? resourcesOf(e.resource, depth + 1) : []));
}

/** One resource of a record as an item. */
export function itemOf(resource, record, { htmlToText: toText = htmlToText } = {}) {
  const type = typeof resource.resourceType === 'string' ? resource.resourceType : '';
  const render = Object.hasOwn(RENDER, type) ? RENDER[type] : null;
  const div = isObj(resource.text) ? resource.text.div : undefined;
  const narrative = typeof div === 'string' && div.trim() ? toText(div) : '';
  const base = {
    type: type || 'unknown',
    source: str(record.source),
    contentHash: str(record.contentHash),
    category: str(record.category),
    verified: true,
    flag: null,
    criticality: null,
    subtitle: null,
  };
  if (!render) {
    return {
      ...base,
      group: record.category === 'sensitive' ? 'sensitive' : 'other',
      title: type || '',
      date: firstDate(resource, ['effective', 'date', 'issued', 'recordedDate', 'created', 'authoredOn', 'period', 'occurrence']),
      fields: [],
      narrative: narrative || null,
      json: narrative ? null : JSON.stringify(resource, null, 2),
    };
  }
  const r = render(resource, record);
  const fields = r.fields.filter((f) => f.value !== '');
  return {
    ...base,
    ...r,
    group: record.category === 'sensitive' ? 'sensitive' : r.group,
    title: r.title || (narrative ? narrative.split('\n')[0] : ''),
    fields,
    // A known type keeps its narrative only when its fields say nothing.
    narrative: narrative && (!r.title || fields.length === 0) ? narrative : null,
    json: null,
  };
}

const CRITICALITY_RANK = { high: 0, 'unable-to-assess': 1, low: 2 };

function compare(a, b) {
  if (a.group === 'allergy') {
    const ca = CRITICALITY_RANK[a.criticality] ?? 3;
    const cb = CRITICALITY_RANK[b.criticality] ?? 3;
    if (ca !== cb) return ca - cb;
  }
  const ta = timeOf(a.date);
  const tb = timeOf(b.date);
  if (ta !== tb) {
    if (ta === null) return 1;
    if (tb === null) return -1;
    return tb - ta;
  }
  return a.title.localeCompare(b.title);
}

/** The view model of a FetchResult (or of several pages' records merged into one):
 * `{ groups: [{ id, items }], unavailable: [{ source, count, code, reason }], count,
 * nextOffset, basis, block, attestation }`; only groups with items, in `GROUPS` order. */
export function viewModel(result, options = {}) {
  const items = [];
  for (const record of list(result?.records)) {
    if (!isObj(record)) continue;
    resourcesOf(record.bundle).forEach((resource, i) => {
      const item = itemOf(resource, record, options);
      item.id = `${str(record.contentHash)}/${i}`;
      items.push(item);
    });
  }
  const groups = GROUPS.map((id) => ({ id, items: items.filter((it) => it.group === id).sort(compare) }))
    .filter((g) => g.items.length > 0);
  const unavailable = list(result?.unavailable).filter(isObj).map((u) => ({
    source: str(u.source),
    count: list(u.records).length,
    code: u.code,
    reason: str(u.reason),
  }));
  return {
    groups,
    unavailable,
    count: items.length,
    records: list(result?.records).length,
    nextOffset: result?.nextOffset ?? null,
    basis: result?.basis ?? null,
    block: result?.block ?? null,
    attestation: result?.attestation ?? null,
  };
}
