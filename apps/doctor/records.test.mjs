// The records view model (records.js) and its DOM part (records-view.js), with fixture
// bundles of every resource type the app renders field by field, and the checks around them:
// the Thai ID check digit as typed (identity.js), the refusals as sentences (errors.js) and
// the Thai table's completeness. Run: `node --test doctor/` (in apps/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { viewModel, GROUPS, htmlToText, stripTags, flagOf, range, quantity, concept } from './records.js';
import { thaiCheckDigit, checkThaiId, documentOf } from './identity.js';

// ------------------------------------------------------------------ a minimal DOM
// Enough of `document` for `el` and records-view.js; assigning HTML anywhere throws, so a
// test passes only if nothing is ever parsed as markup.
class FakeNode {
  constructor(tag) {
    this.tagName = tag.toUpperCase();
    this.children = [];
    this.attributes = {};
    this.className = '';
    this.dataset = {};
    this.classList = { add: (c) => { this.className = `${this.className} ${c}`.trim(); } };
  }
  append(...nodes) {
    for (const n of nodes) this.children.push(typeof n === 'string' ? { text: n } : n);
  }
  setAttribute(k, v) { this.attributes[k] = String(v); }
  getAttribute(k) { return this.attributes[k] ?? null; }
  get textContent() { return this.children.map((c) => (c instanceof FakeNode ? c.textContent : c.text)).join(''); }
  set textContent(v) { this.children = [{ text: String(v) }]; }
  set innerHTML(_) { throw new Error('innerHTML assigned'); }
  set outerHTML(_) { throw new Error('outerHTML assigned'); }
  insertAdjacentHTML() { throw new Error('insertAdjacentHTML called'); }
  /** Every descendant element (depth first). */
  *all() {
    for (const c of this.children) {
      if (c instanceof FakeNode) {
        yield c;
        yield* c.all();
      }
    }
  }
  byTestId(id) { return [...this.all()].filter((n) => n.attributes['data-testid'] === id); }
}
globalThis.document = {
  createElement: (tag) => new FakeNode(tag),
  createTextNode: (text) => ({ text }),
  documentElement: { lang: 'en' },
};

const { recordsSection } = await import('./records-view.js');
const { setLanguage } = await import('../shared/i18n.js');
const { t, tables } = await import('./i18n.js');
const { refusal, sentenceKey, denyReason } = await import('./errors.js');
const { GatewayError } = await import('./api.js');

// ------------------------------------------------------------------ fixtures

const bundle = (...resources) => ({ resourceType: 'Bundle', type: 'collection', entry: resources.map((resource) => ({ resource })) });
const cc = (display, code = 'x', system = 'http://snomed.info/sct') => ({ coding: [{ system, code, display }] });

const allergies = bundle(
  { resourceType: 'AllergyIntolerance', code: cc('Amoxicillin'), criticality: 'low', recordedDate: '2024-05-01',
    reaction: [{ manifestation: [cc('Rash')], severity: 'mild' }] },
  { resourceType: 'AllergyIntolerance', code: { text: 'Penicillin G' }, criticality: 'high', recordedDate: '2019-02-10',
    type: 'allergy', category: ['medication'], clinicalStatus: cc('Active', 'active', 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical'),
    reaction: [{ manifestation: [cc('Anaphylaxis')], severity: 'severe' }] },
  { resourceType: 'AllergyIntolerance', code: { text: 'Aspirin' }, recordedDate: '2023-01-01' },
);
const diagnoses = bundle(
  { resourceType: 'Condition', code: cc('Type 2 diabetes mellitus', '44054006'), clinicalStatus: cc('Active', 'active'),
    onsetDateTime: '2015-06-01', recordedDate: '2015-06-03', severity: cc('Moderate') },
  { resourceType: 'Condition', code: { text: 'Essential hypertension' }, onsetDateTime: '2020-01-15' },
);
const medication = bundle(
  { resourceType: 'MedicationDispense', status: 'completed', medicationCodeableConcept: { text: 'Metformin 500 mg tablet' },
    quantity: { value: 60, unit: 'tablet' }, daysSupply: { value: 30, unit: 'days' }, whenHandedOver: '2024-06-10T09:30:00+07:00',
    dosageInstruction: [{ text: '1 tablet twice a day after meals' }] },
  { resourceType: 'MedicationStatement', status: 'active', medicationCodeableConcept: cc('Amlodipine 5 mg'),
    effectiveDateTime: '2024-01-01', dosage: [{ doseAndRate: [{ doseQuantity: { value: 5, unit: 'mg' } }], timing: { code: { text: 'once daily' } } }] },
);
const vaccines = bundle(
  { resourceType: 'Immunization', status: 'completed', vaccineCode: { text: 'COVID-19 mRNA vaccine' }, occurrenceDateTime: '2021-08-01',
    lotNumber: 'FF1234', protocolApplied: [{ doseNumberPositiveInt: 2 }], site: cc('Left upper arm'), route: cc('Intramuscular'),
    doseQuantity: { value: 0.3, unit: 'mL' } },
);
const procedures = bundle(
  { resourceType: 'Procedure', status: 'completed', code: { text: 'Appendectomy' }, performedDateTime: '2010-03-04',
    bodySite: [cc('Appendix')], outcome: { text: 'Successful' } },
);
const labs = bundle(
  { resourceType: 'Observation', status: 'final', category: [{ coding: [{ code: 'laboratory' }] }], code: { text: 'Potassium' },
    effectiveDateTime: '2024-06-09T08:00:00+07:00', valueQuantity: { value: 5.9, unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' },
    referenceRange: [{ low: { value: 3.5, unit: 'mmol/L' }, high: { value: 5.0, unit: 'mmol/L' } }] },
  { resourceType: 'Observation', status: 'final', category: [{ coding: [{ code: 'laboratory' }] }], code: { text: 'HbA1c' },
    effectiveDateTime: '2024-06-08', valueQuantity: { value: 6.1, unit: '%' }, referenceRange: [{ high: { value: 6.5, unit: '%' } }] },
  { resourceType: 'Observation', status: 'final', category: [{ coding: [{ code: 'laboratory' }] }], code: { text: 'Haemoglobin' },
    effectiveDateTime: '2024-06-07', valueQuantity: { value: 10.2, unit: 'g/dL' }, interpretation: [{ coding: [{ code: 'L' }] }],
    referenceRange: [{ low: { value: 12, unit: 'g/dL' }, high: { value: 16, unit: 'g/dL' }, text: 'women' }] },
  { resourceType: 'DiagnosticReport', status: 'final', category: [{ coding: [{ code: 'LAB' }] }], code: { text: 'Complete blood count' },
    effectiveDateTime: '2024-06-07', conclusion: 'Mild anaemia' },
  { resourceType: 'DiagnosticReport', status: 'final', category: [{ coding: [{ code: 'RAD' }] }], code: { text: 'Chest X-ray' },
    effectiveDateTime: '2024-05-20', conclusion: 'No active lung lesion.', conclusionCode: [cc('Normal chest X-ray')] },
);
const measurements = bundle(
  { resourceType: 'Observation', status: 'final', category: [{ coding: [{ code: 'vital-signs' }] }], code: { text: 'Blood pressure' },
    effectiveDateTime: '2024-06-10T09:00:00+07:00',
    component: [
      { code: { text: 'Systolic' }, valueQuantity: { value: 150, unit: 'mmHg' }, interpretation: [{ coding: [{ code: 'H' }] }] },
      { code: { text: 'Diastolic' }, valueQuantity: { value: 90, unit: 'mmHg' } },
    ] },
  { resourceType: 'Observation', status: 'final', code: { text: 'Body weight' }, effectiveDateTime: '2024-06-10', valueQuantity: { value: 72.5, unit: 'kg' } },
);
const visits = bundle(
  { resourceType: 'Encounter', status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP', display: 'inpatient encounter' },
    type: [{ text: 'Admission, internal medicine' }], period: { start: '2024-06-01T10:00:00+07:00', end: '2024-06-05T12:00:00+07:00' },
    reasonCode: [{ text: 'Hyperkalaemia' }], serviceProvider: { display: 'Hospital A' },
    hospitalization: { dischargeDisposition: { text: 'Home' } } },
);
const sensitive = bundle(
  { resourceType: 'Condition', code: { text: 'HIV infection' }, onsetDateTime: '2018-01-01' },
);
const other = bundle(
  { resourceType: 'FamilyMemberHistory', text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml"><p>Father: <b>myocardial infarction</b> at 55</p><p>Mother &amp; sister: healthy</p></div>' } },
  { resourceType: 'CarePlan', status: 'active', title: 'Diabetes plan' },
);
const hostile = bundle(
  { resourceType: 'Condition', code: { text: '<img src=x onerror="alert(1)">Asthma' }, onsetDateTime: '2001-01-01' },
  { resourceType: 'Basic', text: { status: 'generated', div: '<div><script>alert(1)</script><img src=x onerror="alert(2)">Plain <i>words</i></div>' } },
);

const record = (category, b, source = 'H0001', n = 1) => ({ contentHash: `0x${String(n).padStart(64, '0')}`, source, category, bundle: b });

const result = {
  attestation: 7,
  block: 120,
  basis: 'grant',
  records: [
    record('visit', visits, 'H0002', 1),
    record('measurement', measurements, 'H0001', 2),
    record('labAndImaging', labs, 'H0002', 3),
    record('procedure', procedures, 'H0001', 4),
    record('vaccine', vaccines, 'H0001', 5),
    record('medication', medication, 'H0002', 6),
    record('diagnosis', diagnoses, 'H0001', 7),
    record('allergy', allergies, 'H0001', 8),
    record('sensitive', sensitive, 'H0001', 9),
    record('diagnosis', other, 'H0001', 10),
  ],
  unavailable: [{ source: 'H0003', records: ['0xaa', '0xbb'], code: 4031, reason: 'peer unreachable: connection refused' }],
  nextOffset: 16,
};

const byGroup = (vm, id) => vm.groups.find((g) => g.id === id)?.items ?? [];
const field = (item, key) => item.fields.find((f) => f.key === key)?.value;

// ------------------------------------------------------------------ the view model

test('groups come in the clinician\'s reading order, only those with items', () => {
  const vm = viewModel(result);
  assert.deepEqual(vm.groups.map((g) => g.id),
    ['allergy', 'diagnosis', 'medication', 'vaccine', 'procedure', 'lab', 'imaging', 'measurement', 'visit', 'sensitive', 'other']);
  assert.deepEqual(GROUPS, vm.groups.map((g) => g.id));
  assert.equal(vm.count, 20);
  assert.equal(vm.records, 10);
  assert.equal(vm.nextOffset, 16);
  assert.equal(vm.basis, 'grant');
  for (const g of vm.groups) for (const item of g.items) {
    assert.equal(item.verified, true, 'every returned record carries the check mark');
    assert.match(item.contentHash, /^0x/);
  }
});

test('drug allergies: high criticality first, then newest', () => {
  const items = byGroup(viewModel(result), 'allergy');
  assert.deepEqual(items.map((i) => i.title), ['Penicillin G', 'Amoxicillin', 'Aspirin']);
  const penicillin = items[0];
  assert.equal(penicillin.criticality, 'high');
  assert.equal(field(penicillin, 'criticality'), 'high');
  assert.equal(field(penicillin, 'reaction'), 'Anaphylaxis (severe)');
  assert.equal(field(penicillin, 'clinicalStatus'), 'Active');
  assert.equal(field(penicillin, 'allergyCategory'), 'medication');
  assert.equal(penicillin.date, '2019-02-10');
  assert.equal(penicillin.source, 'H0001');
});

test('diagnoses, medication, vaccines and procedures field by field, newest first', () => {
  const vm = viewModel(result);
  const dx = byGroup(vm, 'diagnosis');
  assert.deepEqual(dx.map((i) => i.title), ['Essential hypertension', 'Type 2 diabetes mellitus']);
  assert.equal(field(dx[1], 'onset'), '2015-06-01');
  assert.equal(field(dx[1], 'severity'), 'Moderate');

  const meds = byGroup(vm, 'medication');
  assert.deepEqual(meds.map((i) => [i.type, i.title, i.subtitle]), [
    ['MedicationDispense', 'Metformin 500 mg tablet', 'dispensed'],
    ['MedicationStatement', 'Amlodipine 5 mg', 'taken'],
  ]);
  assert.equal(field(meds[0], 'dosage'), '1 tablet twice a day after meals');
  assert.equal(field(meds[0], 'quantity'), '60 tablet');
  assert.equal(field(meds[0], 'daysSupply'), '30 days');
  assert.equal(field(meds[1], 'dosage'), '5 mg once daily');

  const [vaccine] = byGroup(vm, 'vaccine');
  assert.equal(vaccine.title, 'COVID-19 mRNA vaccine');
  assert.equal(field(vaccine, 'doseNumber'), '2');
  assert.equal(field(vaccine, 'lotNumber'), 'FF1234');
  assert.equal(field(vaccine, 'route'), 'Intramuscular');
  assert.equal(field(vaccine, 'doseQuantity'), '0.3 mL');

  const [proc] = byGroup(vm, 'procedure');
  assert.equal(proc.title, 'Appendectomy');
  assert.equal(field(proc, 'bodySite'), 'Appendix');
  assert.equal(field(proc, 'outcome'), 'Successful');
  assert.equal(proc.date, '2010-03-04');
});

test('lab results: value with units, reference range, out-of-range flagged', () => {
  const labItems = byGroup(viewModel(result), 'lab');
  assert.deepEqual(labItems.map((i) => i.title), ['Potassium', 'HbA1c', 'Complete blood count', 'Haemoglobin']);
  const [potassium, hba1c, cbc, hb] = labItems;
  assert.equal(field(potassium, 'value'), '5.9 mmol/L');
  assert.equal(field(potassium, 'referenceRange'), '3.5–5 mmol/L', 'JSON numbers: 5.0 is 5');
  assert.equal(potassium.flag, 'high', 'above the range with no interpretation given');
  assert.equal(field(hba1c, 'referenceRange'), '≤ 6.5 %');
  assert.equal(hba1c.flag, null);
  assert.equal(hb.flag, 'low', 'the interpretation code decides');
  assert.equal(field(hb, 'referenceRange'), '12–16 g/dL (women)');
  assert.equal(cbc.type, 'DiagnosticReport');
  assert.equal(field(cbc, 'conclusion'), 'Mild anaemia');
});

test('imaging summaries are the reports\' conclusions; measurements and visits', () => {
  const vm = viewModel(result);
  const [xray] = byGroup(vm, 'imaging');
  assert.equal(xray.title, 'Chest X-ray');
  assert.equal(field(xray, 'conclusion'), 'No active lung lesion.');
  assert.equal(field(xray, 'conclusionCode'), 'Normal chest X-ray');

  const m = byGroup(vm, 'measurement');
  assert.deepEqual(m.map((i) => i.title), ['Blood pressure', 'Body weight']);
  assert.equal(field(m[0], 'value'), 'Systolic: 150 mmHg; Diastolic: 90 mmHg');
  assert.equal(m[0].flag, 'high', 'a component out of range flags the measurement');
  assert.equal(field(m[1], 'value'), '72.5 kg');

  const [visit] = byGroup(vm, 'visit');
  assert.equal(visit.title, 'Admission, internal medicine');
  assert.equal(field(visit, 'encounterClass'), 'inpatient encounter');
  assert.equal(field(visit, 'period'), '2024-06-01T10:00:00+07:00 – 2024-06-05T12:00:00+07:00');
  assert.equal(field(visit, 'reason'), 'Hyperkalaemia');
  assert.equal(field(visit, 'discharge'), 'Home');
  assert.equal(field(visit, 'serviceProvider'), 'Hospital A');
  assert.equal(visit.source, 'H0002');
});

test('a sensitive record\'s resources go to the sensitive group, whatever their type', () => {
  const [item] = byGroup(viewModel(result), 'sensitive');
  assert.equal(item.type, 'Condition');
  assert.equal(item.title, 'HIV infection');
});

test('other resources: narrative as plain text, else JSON', () => {
  const items = byGroup(viewModel(result), 'other');
  const history = items.find((i) => i.type === 'FamilyMemberHistory');
  assert.equal(history.narrative, 'Father: myocardial infarction at 55\nMother & sister: healthy');
  assert.equal(history.json, null);
  const plan = items.find((i) => i.type === 'CarePlan');
  assert.equal(plan.narrative, null);
  assert.deepEqual(JSON.parse(plan.json), { resourceType: 'CarePlan', status: 'active', title: 'Diabetes plan' });
});

test('no HTML from a record is interpreted: text stays text, narratives lose their markup', () => {
  const vm = viewModel({ records: [record('diagnosis', hostile)], unavailable: [] });
  const asthma = byGroup(vm, 'diagnosis')[0];
  assert.equal(asthma.title, '<img src=x onerror="alert(1)">Asthma', 'a text field is kept verbatim, to be shown as text');
  const basic = byGroup(vm, 'other')[0];
  assert.equal(basic.narrative, 'Plain words', 'scripts dropped, tags stripped');
  assert.equal(stripTags('a &lt;b&gt; &#x41;&#66; &nbsp;c'), 'a <b> AB c');
  assert.equal(htmlToText('<p>one</p><p>two<br>three</p>'), 'one\ntwo\nthree');

  // The DOM part: built from text nodes only (the fake DOM throws on any HTML assignment).
  const section = recordsSection({ records: [record('diagnosis', hostile)], unavailable: [] });
  const title = [...section.all()].find((n) => n.className === 'record-title');
  assert.equal(title.textContent, '<img src=x onerror="alert(1)">Asthma');
  assert.equal([...section.all()].filter((n) => n.tagName === 'IMG' || n.tagName === 'SCRIPT').length, 0);
  assert.equal(section.byTestId('narrative')[0].textContent, 'Plain words');
});

test('the DOM part: groups, check marks, flags, unavailable sources in words, More', () => {
  setLanguage('en');
  let more = 0;
  const section = recordsSection(result, { names: new Map([['H0001', 'Hospital A']]), onMore: () => { more += 1; } });
  assert.equal(section.attributes['data-testid'], 'records');
  assert.deepEqual(section.byTestId('records-group').map((g) => g.attributes['data-group']), GROUPS);
  const records = section.byTestId('record');
  assert.equal(records.length, 20);
  assert.equal(section.byTestId('verified').length, 20);
  assert.equal(section.byTestId('verified')[0].attributes.title, 'ciphertext matched the hash anchored on chain');
  assert.deepEqual(section.byTestId('flag').map((f) => f.attributes['data-flag']).sort(), ['high', 'high', 'low']);
  assert.equal(section.byTestId('criticality-high').length, 1);
  assert.equal(records[0].attributes['data-type'], 'AllergyIntolerance');
  assert.match(section.byTestId('record-source')[0].textContent, /Hospital A \(H0001\)/);
  assert.equal(section.byTestId('unavailable')[0].children[0].children[0].text,
    'Hospital H0003 could not serve 2 records: its gateway could not be reached or refused.');
  const [button] = section.byTestId('more');
  button.onclick();
  assert.equal(more, 1);
  assert.match(section.byTestId('records-summary')[0].textContent, /10 records from Hospital H0002, Hospital A \(H0001\), Hospital H0001|10 records from/);

  setLanguage('th');
  const thai = recordsSection(result);
  assert.match(thai.byTestId('unavailable')[0].textContent, /โรงพยาบาล H0003 ส่งข้อมูล 2 รายการไม่ได้/);
  assert.equal(thai.byTestId('verified')[0].attributes.title, 'ข้อมูลเข้ารหัสตรงกับแฮชที่บันทึกไว้บนบล็อกเชน');
  setLanguage('en');
});

test('data types: CodeableConcept, Quantity, Range, flags', () => {
  assert.equal(concept({ coding: [{ code: 'A01' }] }), 'A01');
  assert.equal(concept({ text: 'T', coding: [{ display: 'D' }] }), 'T');
  assert.equal(concept({ concept: { text: 'R5 reference' } }), 'R5 reference');
  assert.equal(quantity({ value: 140, comparator: '>', unit: 'mg/dL' }), '>140 mg/dL');
  assert.equal(range({ low: { value: 70, unit: 'mg/dL' } }), '≥ 70 mg/dL');
  assert.equal(flagOf({ valueQuantity: { value: 3 }, referenceRange: [{ low: { value: 3.5 } }] }), 'low');
  assert.equal(flagOf({ valueQuantity: { value: 4 }, referenceRange: [{ low: { value: 3.5 }, high: { value: 5 } }] }), null);
  assert.equal(flagOf({ interpretation: [{ coding: [{ code: 'A' }] }] }), 'abnormal');
  // A bare resource instead of a bundle, an empty bundle, a non-object entry: no crash.
  const vm = viewModel({ records: [record('diagnosis', { resourceType: 'Condition', code: { text: 'Bare' } }),
    record('diagnosis', { resourceType: 'Bundle' }), record('diagnosis', bundle(null, 3, 'x'))] });
  assert.deepEqual(vm.groups.map((g) => g.items.map((i) => i.title)), [['Bare']]);
});

// ------------------------------------------------------------------ identity, refusals, labels

test('the Thai ID check digit, checked as typed', () => {
  assert.equal(thaiCheckDigit('110170023070'), 8);
  assert.equal(checkThaiId('1-1017-00230-70-8').state, 'ok');
  assert.deepEqual(checkThaiId('1101700230709'), { state: 'checkDigit', expected: 8, found: 9, digits: '1101700230709' });
  assert.equal(checkThaiId('11017').state, 'short');
  assert.equal(checkThaiId('').state, 'empty');
  assert.equal(checkThaiId('11O').state, 'notDigit');
  assert.equal(checkThaiId('11017002307089').state, 'long');
  assert.equal(checkThaiId('6101700230701', 'thai-citizen').state, 'wrongKind');
  assert.equal(checkThaiId('1101700230708', 'thai-non-citizen').state, 'wrongKind');
  // Every twelve digits have exactly one valid thirteenth.
  for (let n = 0; n < 200; n += 1) {
    const twelve = `1${String(n * 7919 % 1e11).padStart(11, '0')}`;
    const valid = [...'0123456789'].filter((d) => checkThaiId(twelve + d).state === 'ok');
    assert.deepEqual(valid, [String(thaiCheckDigit(twelve))]);
  }
  assert.deepEqual(documentOf('thai-citizen', '1 1017 00230 70 8'), { kind: 'thai-citizen', number: '1101700230708' });
  assert.deepEqual(documentOf('passport', 'ab 123456', 'mmr'), { kind: 'passport:MMR', number: 'AB123456' });
  assert.equal(documentOf('passport', 'AB123456', 'MM').error.field, 'country');
});

test('every refusal is a sentence, the code only in the detail', () => {
  setLanguage('en');
  const s = (code, message) => refusal(new GatewayError(code, message));
  assert.equal(s(4010, 'access denied: termsNotAccepted').text, 'You must accept the exchange\'s terms before fetching records.');
  assert.equal(s(4010, 'access denied: notEnrolled').text, 'This patient has not joined the exchange.');
  assert.equal(s(4003, 'the token carries no licence claim').text,
    'Your hospital account carries no Medical Council licence number; ask your hospital\'s IT to add it.');
  assert.equal(s(4001, 'token expired').text, 'Your sign-in has expired. Sign in again.');
  assert.match(s(4029, 'too many identify calls').text, /wait a minute/);
  assert.match(s(5000, 'node down').text, /exchange is unreachable/);
  assert.equal(s(4011, 'refused').text, 'The patient refused the request.');
  assert.equal(s(4012, 'timeout').text, 'The patient did not answer in time. You can ask again.');
  assert.equal(s(4010, 'access denied: termsNotAccepted').detail, '4010 · access denied: termsNotAccepted');
  assert.equal(denyReason('access denied: somethingNew'), null);
  assert.equal(sentenceKey(4010, 'access denied: somethingNew'), 'doctor.err.denied');
  assert.equal(sentenceKey(4010, 'emergency access refused: X'), 'doctor.err.emergencyRefused');
  for (const code of [4000, 4001, 4003, 4004, 4010, 4011, 4012, 4013, 4029, 4030, 4031, 4041, 4042, 4050, 4060, 5000, 0, 9999]) {
    const { text } = s(code, 'x');
    assert.doesNotMatch(text, /\b\d{4}\b/, `code ${code}: no number in the sentence`);
    assert.ok(!text.startsWith('doctor.'), `code ${code}: a label exists`);
  }
  setLanguage('th');
  assert.equal(s(4010, 'access denied: notEnrolled').text, 'ผู้ป่วยรายนี้ไม่ได้เข้าร่วมการแลกเปลี่ยนข้อมูล');
  assert.equal(t('doctor.signin.expired'), 'การเข้าสู่ระบบของคุณหมดอายุแล้ว กรุณาเข้าสู่ระบบอีกครั้ง');
  setLanguage('en');
});

test('every English label has a Thai one', () => {
  const missing = Object.keys(tables.en).filter((k) => !(k in tables.th));
  assert.deepEqual(missing, []);
  const extra = Object.keys(tables.th).filter((k) => !(k in tables.en));
  assert.deepEqual(extra, []);
});
