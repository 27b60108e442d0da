// The development identity provider's accounts: demo doctors (and one nurse) with PINs kept
// only as scrypt hashes in memory, checked in constant time, with a bounded number of wrong
// attempts per licence number.
import { randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCallback);
const KEY_LENGTH = 32;

/** The demo accounts `scripts/dev` and the tests use when the config names none. */
export const DEFAULT_ACCOUNTS = [
  { id: 'MD10001', pin: '1111', name: 'Dr. Somchai', hospital: 'H0001', licence: 'MD10001' },
  { id: 'MD10002', pin: '2222', name: 'Dr. Malee', hospital: 'H0002', licence: 'MD10002' },
  // A new doctor: has not accepted the terms on chain yet (the chain's business, not ours).
  { id: 'MD10003', pin: '3333', name: 'Dr. Anong', hospital: 'H0002', licence: 'MD10003' },
  // Access tokens valid 5 seconds only: for testing expiry.
  {
    id: 'MD10009', pin: '9999', name: 'Dr. Wichai', hospital: 'H0001', licence: 'MD10009', accessTokenTtl: 5,
  },
  // A nurse: an account WITHOUT a Medical Council licence; her tokens carry no licence claim.
  { id: 'N20001', pin: '4444', name: 'Nurse Pranee', hospital: 'H0001', licence: null },
];

/** A login identifier as typed: trimmed, upper case ("md10002 " is MD10002). */
export function normalizeLogin(value) {
  return String(value ?? '').trim().toUpperCase();
}

async function hashPin(pin, salt) {
  return scrypt(String(pin).normalize('NFKC'), salt, KEY_LENGTH);
}

/**
 * The account store. `accounts`: [{id, pin, name, hospital?, licence? (default: the id;
 * null or "" for none), accessTokenTtl? (seconds)}].
 */
export async function createAccounts(accounts = DEFAULT_ACCOUNTS) {
  if (!Array.isArray(accounts) || accounts.length === 0) {
    throw new TypeError('accounts must be a non-empty array');
  }
  const byId = new Map();
  for (const entry of accounts) {
    const id = normalizeLogin(entry?.id);
    if (!/^[A-Z0-9][A-Z0-9._-]{0,63}$/.test(id)) {
      throw new TypeError(`account id ${JSON.stringify(entry?.id)} is not a plain identifier`);
    }
    if (byId.has(id)) throw new TypeError(`account ${id} is listed twice`);
    if (typeof entry.pin !== 'string' || entry.pin.length < 4) {
      throw new TypeError(`account ${id}: pin must be a string of 4 or more characters`);
    }
    if (entry.accessTokenTtl !== undefined
      && !(Number.isSafeInteger(entry.accessTokenTtl) && entry.accessTokenTtl > 0)) {
      throw new TypeError(`account ${id}: accessTokenTtl must be a positive whole number of seconds`);
    }
    const salt = randomBytes(16);
    const licence = entry.licence === undefined ? id : entry.licence;
    byId.set(id, Object.freeze({
      id,
      name: String(entry.name ?? id),
      hospital: entry.hospital ? String(entry.hospital) : undefined,
      licence: licence ? String(licence) : undefined,
      accessTokenTtl: entry.accessTokenTtl,
      salt,
      pinHash: await hashPin(entry.pin, salt),
    }));
  }
  // Unknown logins are checked against this, so they take as long as known ones.
  const dummySalt = randomBytes(16);
  const dummyHash = await hashPin(randomBytes(12).toString('hex'), dummySalt);

  return {
    /** The account with this id, or undefined. */
    get(id) {
      return byId.get(normalizeLogin(id));
    },
    /** The account when the PIN is right, else undefined (same work either way). */
    async verify(login, pin) {
      const account = byId.get(normalizeLogin(login));
      const candidate = await hashPin(String(pin ?? ''), account ? account.salt : dummySalt);
      const expected = account ? account.pinHash : dummyHash;
      const same = timingSafeEqual(candidate, expected);
      return account && same ? account : undefined;
    },
  };
}

/**
 * Wrong attempts per key (the licence number typed): at most `max` within `windowMs`; then
 * refused until the oldest counted failure leaves the window. Bounded memory: at most
 * `maxKeys` keys are tracked (the oldest are forgotten first).
 */
export function createAttemptLimiter({ max = 5, windowMs = 5 * 60 * 1000, maxKeys = 10000 } = {}) {
  const failures = new Map(); // key -> [timestamps ms], oldest first
  const live = (key, now) => {
    const list = (failures.get(key) || []).filter((t) => now - t < windowMs);
    if (list.length) failures.set(key, list); else failures.delete(key);
    return list;
  };
  return {
    /** Milliseconds to wait before the next attempt with this key, 0 when allowed. */
    retryAfter(key, now = Date.now()) {
      const list = live(key, now);
      return list.length >= max ? windowMs - (now - list[list.length - max]) : 0;
    },
    fail(key, now = Date.now()) {
      const list = live(key, now);
      list.push(now);
      failures.delete(key); // re-insert: Map order is least recently failed first
      failures.set(key, list.slice(-max));
      while (failures.size > maxKeys) failures.delete(failures.keys().next().value);
    },
    succeed(key) {
      failures.delete(key);
    },
  };
}
