// Every refusal the doctor meets, as a sentence in Thai or English (the labels are in
// ./i18n.js, `doctor.err.*`, `doctor.deny.*`, `doctor.signin.*`): the gateway's error codes
// (the contract of issue 31: 4000 bad input ... 5000 unavailable), the consent decision's
// reasons (4010 "access denied: <reason>"), sign-in failures, and the unreachable gateway.
// The code and the gateway's own words go to a small detail line only.
import { GatewayError, UNREACHABLE } from './api.js';
import { SignInError } from './auth.js';
import { t, has } from './i18n.js';

/** The sentence key of each gateway code (4003 and 4010 depend on the message too). */
const BY_CODE = {
  4000: 'doctor.err.badInput',
  4001: 'doctor.signin.expired',
  4004: 'doctor.err.host',
  4029: 'doctor.err.rateLimited',
  4011: 'doctor.err.refused',
  4012: 'doctor.err.timedOut',
  4013: 'doctor.err.grantExpired',
  4020: 'doctor.err.anchorRefused',
  4030: 'doctor.err.unknownPeer',
  4031: 'doctor.err.peerFailed',
  4040: 'doctor.err.badAttestation',
  4041: 'doctor.err.notServed',
  4042: 'doctor.err.erased',
  4043: 'doctor.err.unknownRecord',
  4044: 'doctor.err.notLive',
  4050: 'doctor.err.integrity',
  4060: 'doctor.err.noRecords',
  5000: 'doctor.err.unavailable',
  [-32601]: 'doctor.err.notOffered',
  [-32602]: 'doctor.err.badInput',
};

/** The consent decision's reason in a 4010 message (`access denied: termsNotAccepted`), if
 * it names one the app has a sentence for. */
export function denyReason(message) {
  const m = /access denied:\s*([A-Za-z]+)/.exec(String(message ?? ''));
  if (!m) return null;
  const reason = m[1].charAt(0).toLowerCase() + m[1].slice(1);
  return has(`doctor.deny.${reason}`) ? reason : null;
}

/** The sentence key for a gateway error's code and message. */
export function sentenceKey(code, message = '') {
  const text = String(message ?? '');
  if (code === UNREACHABLE) return 'doctor.err.unreachable';
  if (code === 4003) return /licen[cs]e/i.test(text) ? 'doctor.err.noLicence' : 'doctor.err.scope';
  if (code === 4010) {
    const reason = denyReason(text);
    if (reason) return `doctor.deny.${reason}`;
    if (/^emergency access refused/i.test(text)) return 'doctor.err.emergencyRefused';
    if (/^consent request refused/i.test(text)) return 'doctor.err.requestRefused';
    return 'doctor.err.denied';
  }
  return BY_CODE[code] ?? 'doctor.err.other';
}

/** An error as `{ text, detail }`: the sentence, and the code with the gateway's words (or
 * the sign-in's technical detail) for the small print. `vars` fill the sentence
 * (`url`: the gateway). */
export function refusal(error, vars = {}) {
  if (error instanceof SignInError) {
    return { text: t(`doctor.signin.${error.kind}`, vars), detail: error.detail || '' };
  }
  if (error instanceof GatewayError) {
    return {
      text: t(sentenceKey(error.code, error.message), vars),
      detail: error.code === UNREACHABLE ? error.message : `${error.code} · ${error.message}`,
    };
  }
  return { text: t('doctor.err.other', vars), detail: String(error?.message ?? error) };
}

/** Why a source could not serve records (a FetchResult's `unavailable` entry's code), as
 * the end of "Hospital H0001 could not serve 2 records: …". */
export const unavailableReason = (code) => t(has(`doctor.unav.${code}`) ? `doctor.unav.${code}` : 'doctor.unav.other');
