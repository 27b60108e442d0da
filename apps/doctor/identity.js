// Identity documents as the doctor types them: the Thai 13-digit ID (citizens' and
// non-citizens' cards, the same check digit), and passports with their country. The checks
// mirror the chain's primitives (`healthchain_primitives::document`), so a number is refused
// here, as typed, for the same reasons the gateway would refuse it.

/** The document kinds of the form (a passport adds its country: `passport:<ISO alpha-3>`). */
export const KINDS = ['thai-citizen', 'thai-non-citizen', 'passport'];

/** The Thai ID check digit of twelve digits: weights 13..2, `(11 - sum mod 11) mod 10`. */
export function thaiCheckDigit(first12) {
  let sum = 0;
  for (let i = 0; i < 12; i += 1) sum += Number(first12[i]) * (13 - i);
  return (11 - (sum % 11)) % 10;
}

const CITIZEN_FIRST = new Set(['1', '2', '3', '4', '5', '8']);

/** A Thai ID number as typed so far (spaces and dashes allowed), for the live hint:
 * `{ state, digits, ... }` with state `empty`, `notDigit` (`char`), `wrongKind` (`first`),
 * `short` (`count`), `long` (`count`), `checkDigit` (`expected`, `found`) or `ok`. */
export function checkThaiId(raw, kind = 'thai-citizen') {
  const text = String(raw ?? '').trim();
  let digits = '';
  for (const c of text) {
    if (c === ' ' || c === '-') continue;
    if (c < '0' || c > '9') return { state: 'notDigit', char: c, digits };
    digits += c;
  }
  if (digits.length === 0) return { state: 'empty', digits };
  const citizen = CITIZEN_FIRST.has(digits[0]);
  if (citizen !== (kind === 'thai-citizen')) return { state: 'wrongKind', first: digits[0], digits };
  if (digits.length < 13) return { state: 'short', count: digits.length, digits };
  if (digits.length > 13) return { state: 'long', count: digits.length, digits };
  const expected = thaiCheckDigit(digits);
  const found = Number(digits[12]);
  if (expected !== found) return { state: 'checkDigit', expected, found, digits };
  return { state: 'ok', digits };
}

/** A passport number as typed: `empty`, `bad` or `ok` (5 to 20 letters or digits). */
export function checkPassport(raw) {
  const number = String(raw ?? '').replace(/[\s-]/g, '').toUpperCase();
  if (!number) return { state: 'empty', number };
  return /^[A-Z0-9]{5,20}$/.test(number) ? { state: 'ok', number } : { state: 'bad', number };
}

/** A passport country: three letters (ISO 3166-1 alpha-3), uppercased. */
export function checkCountry(raw) {
  const country = String(raw ?? '').trim().toUpperCase();
  if (!country) return { state: 'empty', country };
  return /^[A-Z]{3}$/.test(country) ? { state: 'ok', country } : { state: 'bad', country };
}

/** Common passport countries for the form's suggestions (the field takes any code). */
export const COUNTRIES = ['MMR', 'LAO', 'KHM', 'VNM', 'MYS', 'CHN', 'IND', 'JPN', 'KOR', 'SGP', 'IDN', 'PHL', 'GBR', 'USA', 'DEU', 'FRA', 'AUS', 'RUS'];

/** The `gateway_identify` parameter for what the form holds, or `{ error: check }`. */
export function documentOf(kind, number, country) {
  if (kind === 'passport') {
    const c = checkCountry(country);
    if (c.state !== 'ok') return { error: { field: 'country', ...c } };
    const p = checkPassport(number);
    if (p.state !== 'ok') return { error: { field: 'number', ...p } };
    return { kind: `passport:${c.country}`, number: p.number };
  }
  const check = checkThaiId(number, kind);
  if (check.state !== 'ok') return { error: { field: 'number', ...check } };
  return { kind, number: check.digits };
}
