// Every refusal from the chain as a sentence, in the patient's words, in Thai and English.
// Dispatch errors are named by the runtime metadata (pallet and error name); the sentences
// for the ones a patient or auditor meets are here, and any other error falls back to the
// runtime's own documentation of it (English), never to a code.
//
// Pool refusals carry the permission gate's codes (`pallet_participants::extension::codes`,
// 10 to 16), which the metadata does not name; their sentences are keyed by those codes.
import { language, has, t, camel } from './i18n.js';

const sentences = {
  'consent.AlreadyEnrolled': ['You already take part in the exchange.', 'คุณเข้าร่วมการแลกเปลี่ยนข้อมูลอยู่แล้ว'],
  'consent.ReenrolTooSoon': ['You left the exchange today; you can join again from tomorrow.', 'คุณออกจากการแลกเปลี่ยนข้อมูลวันนี้ เข้าร่วมใหม่ได้ตั้งแต่พรุ่งนี้'],
  'consent.NotEnrolled': ['You do not take part in the exchange now; join it first.', 'ขณะนี้คุณไม่ได้เข้าร่วมการแลกเปลี่ยนข้อมูล กรุณาเข้าร่วมก่อน'],
  'consent.SourcesAlreadyChangedToday': ['You already changed your hospitals today. You can change them again tomorrow.', 'วันนี้คุณเปลี่ยนโรงพยาบาลไปแล้ว เปลี่ยนได้อีกครั้งพรุ่งนี้'],
  'consent.SourcesUnchanged': ['These are already your hospitals; nothing changed.', 'นี่คือโรงพยาบาลที่คุณเลือกอยู่แล้ว ไม่มีอะไรเปลี่ยนแปลง'],
  'consent.EmptySourceList': ['Choose at least one hospital, or every hospital.', 'เลือกอย่างน้อยหนึ่งโรงพยาบาล หรือเลือกทุกโรงพยาบาล'],
  'consent.DuplicateSource': ['A hospital is chosen twice.', 'มีโรงพยาบาลถูกเลือกซ้ำ'],
  'consent.InactiveSource': ['One of the chosen hospitals is not (or no longer) in the exchange.', 'โรงพยาบาลที่เลือกบางแห่งไม่ได้อยู่ในเครือข่าย (หรือไม่ได้อยู่แล้ว)'],
  'consent.OptInUnchanged': ['Your sensitive-data choice already has this value.', 'ตัวเลือกข้อมูลอ่อนไหวของคุณเป็นค่านี้อยู่แล้ว'],
  'consent.UnknownRequest': ['This request no longer exists: it was answered or withdrawn.', 'คำขอนี้ไม่มีอยู่แล้ว อาจถูกตอบหรือถอนไปแล้ว'],
  'consent.RequestExpired': ['This request ran out of time before you answered; the doctor must ask again.', 'คำขอนี้หมดเวลาก่อนที่คุณจะตอบ แพทย์ต้องขอใหม่'],
  'consent.UnknownGrant': ['This doctor no longer holds your permission.', 'แพทย์ท่านนี้ไม่ได้รับอนุญาตจากคุณแล้ว'],
  'consent.TooManyGrants': ['You have allowed as many doctors as the exchange keeps at once; revoke one first.', 'คุณอนุญาตแพทย์ครบจำนวนสูงสุดแล้ว กรุณาเพิกถอนก่อน'],
  'consent.NotPatient': ['This key does not act for this health ID.', 'กุญแจนี้ไม่ได้เป็นตัวแทนของหมายเลขสุขภาพนี้'],
  'consent.UnknownHealthId': ['This health ID is not registered.', 'หมายเลขสุขภาพนี้ไม่ได้ลงทะเบียน'],
  'consent.HealthIdDeactivated': ['This health ID is deactivated; a registrar can reactivate it.', 'หมายเลขสุขภาพนี้ถูกระงับ นายทะเบียนสามารถเปิดใช้งานใหม่ได้'],
  'healthIds.NoPendingRebind': ['There is no pending change of key any more: it was cancelled or already applied.', 'ไม่มีคำขอเปลี่ยนกุญแจที่รออยู่แล้ว อาจถูกยกเลิกหรือมีผลไปแล้ว'],
  'healthIds.RebindContested': ['This change is contested: your key cannot cancel it; the operators\' council decides it.', 'การเปลี่ยนแปลงนี้มีการคัดค้าน กุญแจของคุณยกเลิกไม่ได้ คณะกรรมการผู้ดำเนินการเครือข่ายจะเป็นผู้ตัดสิน'],
  'healthIds.NotController': ['This key does not act for this health ID (any more).', 'กุญแจนี้ไม่ได้เป็นตัวแทนของหมายเลขสุขภาพนี้ (แล้ว)'],
  'healthIds.ControllerInUse': ['The new key already acts for another health ID or participant, so the change cannot be applied; cancel it, or ask the registrar for another.', 'กุญแจใหม่เป็นตัวแทนของหมายเลขสุขภาพอื่นหรือผู้เข้าร่วมอื่นอยู่แล้ว จึงทำการเปลี่ยนแปลงนี้ไม่ได้ กรุณายกเลิก หรือขอให้นายทะเบียนดำเนินการใหม่'],
  'healthIds.HealthIdDeactivated': ['This health ID is deactivated; only governance can reactivate it.', 'หมายเลขสุขภาพนี้ถูกระงับ มีเพียงคณะกรรมการที่เปิดใช้งานใหม่ได้'],
  'pool.10': ['This key is not known to the exchange: it is neither a participant nor a patient\'s key.', 'เครือข่ายไม่รู้จักกุญแจนี้ ไม่ใช่ทั้งผู้เข้าร่วมและกุญแจของผู้ป่วย'],
  'pool.11': ['This key may not make this change.', 'กุญแจนี้ไม่มีสิทธิ์ทำรายการนี้'],
  'pool.12': ['This key does not act for this patient.', 'กุญแจนี้ไม่ได้เป็นตัวแทนของผู้ป่วยรายนี้'],
  'pool.13': ['The transaction nests too many steps.', 'รายการซ้อนกันหลายชั้นเกินไป'],
  'pool.14': ['You made as many changes as the exchange allows for now; try again later.', 'คุณทำรายการครบตามที่เครือข่ายอนุญาตในช่วงนี้แล้ว กรุณาลองใหม่ภายหลัง'],
  'pool.15': ['Your earlier changes are still waiting to be recorded; try again in a moment.', 'รายการก่อนหน้าของคุณยังรอการบันทึก กรุณาลองใหม่สักครู่'],
  'pool.16': ['This transaction is larger than one block allows for your key.', 'รายการนี้ใหญ่เกินกว่าที่หนึ่งบล็อกอนุญาตสำหรับกุญแจของคุณ'],
};

function pick(key, fallback) {
  const s = sentences[key];
  if (!s) return fallback;
  return language() === 'th' ? s[1] : s[0];
}

/** The pallet (camelCase section), error name, documentation and nested field of a module
 * error, as the runtime metadata names them. */
export function moduleError(api, dispatchError) {
  const module = dispatchError.asModule;
  const meta = api.registry.findMetaError(module);
  let detail = null;
  // A field of the variant (`AccessDenied(DenyReason)`) follows the variant's index.
  const fields = meta.fields ?? [];
  if (fields.length === 1) {
    const bytes = module.error.toU8a().slice(1);
    const value = api.registry.createType(api.registry.createLookupType(fields[0].type), bytes);
    detail = value.toString();
  }
  return { section: meta.section, name: meta.name, docs: meta.docs.join(' '), detail };
}

/** A sentence for a dispatch error. */
export function dispatchSentence(api, dispatchError) {
  if (dispatchError.isModule) {
    const e = moduleError(api, dispatchError);
    const sentence = pick(`${e.section}.${e.name}`, e.docs || `${e.section}: ${e.name}`);
    // A refusal with a reason (`AccessDenied(reason)`) names the reason in words.
    const reason = e.detail && `deny.${camel(e.detail)}`;
    return reason && has(reason) ? `${sentence.replace(/\.$/, '')}: ${t(reason)}.` : sentence;
  }
  if (dispatchError.isBadOrigin) return pick('pool.11', '');
  return dispatchError.type;
}

/** A sentence for an error thrown while submitting (the pool refused the transaction). */
export function submitSentence(err) {
  const message = String(err?.message ?? err);
  const custom = message.match(/Custom error: (\d+)/);
  if (custom && sentences[`pool.${custom[1]}`]) return pick(`pool.${custom[1]}`, message);
  return language() === 'th'
    ? `เครือข่ายไม่รับรายการนี้ (${message.replace(/^\d+: /, '')})`
    : `The network did not accept this transaction (${message.replace(/^\d+: /, '')}).`;
}
