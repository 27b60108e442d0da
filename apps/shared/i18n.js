// Thai and English labels for both apps. `t(key, vars)` looks a label up in the current
// language (English when a Thai label is missing) and fills `{name}` placeholders.

const en = {
  'lang.en': 'English',
  'lang.th': 'ไทย',
  'app.patient': 'My health data sharing',
  'app.audit': 'Access audit',
  'app.index': 'HealthChain apps',
  'conn.connecting': 'Connecting to {url}…',
  'conn.connected': 'Connected to {chain} at block #{block}',
  'conn.failed': 'Cannot reach the network at {url}. Is the node running?',
  'conn.endpoint': 'Network endpoint',
  'conn.use': 'Connect',
  'conn.fromConfig': '(the app\'s own setting)',
  'conn.fromUser': '(chosen by you in this browser)',
  'conn.useConfigured': 'Go back to the app\'s endpoint ({url})',
  'conn.askTitle': 'Connect to another network?',
  'conn.ask': 'The link you opened asks this app to use the network at {asked} instead of {current}.',
  'conn.askWarning': 'Accept only if you trust whoever sent you the link: a false network can show you false information and ask you to sign changes you did not mean. The app remembers your choice in this browser.',
  'conn.keep': 'Keep {url}',
  'conn.accept': 'Use {url}',
  'conn.askedInvalid': 'The link named "{asked}", which is not a network address; it was ignored.',

  'key.title': 'Your key',
  'key.extension': 'Use a browser wallet extension',
  'key.extensionNone': 'No wallet extension answered. Install polkadot{.js} or use a development key below.',
  'key.extensionPick': 'Accounts from the extension',
  'key.local': 'Development key (kept encrypted in this browser)',
  'key.secret': 'Secret phrase, seed or development URI',
  'key.password': 'Password',
  'key.save': 'Save and unlock',
  'key.unlock': 'Unlock',
  'key.forget': 'Forget this key',
  'key.badPassword': 'That password does not unlock the saved key.',
  'key.badSecret': 'That is not a secret phrase, seed or development URI.',
  'key.noHealthId': 'This key controls no health ID. A registrar registers your health ID when you show your ID card.',
  'key.account': 'Signing as {address}',

  'rebind.title': 'A registrar asked to move your health ID to another key',
  'rebind.toKey': 'A registrar ({registrar}) scheduled binding your health ID to a new key: {key}.',
  'rebind.toAssisted': 'A registrar ({registrar}) scheduled taking your health ID off this key: you would then be served in person at a hospital, with no key.',
  'rebind.when': 'It takes effect from about {when} (block #{block}). Until then this key keeps all its rights.',
  'rebind.due': 'Its waiting time ended at block #{block}: any registrar can now complete it.',
  'rebind.whenContested': 'It has no date: it takes effect only if the operators\' council approves it or you confirm it. Until then this key keeps all its rights.',
  'rebind.uncontested': 'Not contested. If you did not ask for this (your phone is still with you), cancel it.',
  'rebind.contested': 'Contested: this key cancelled an earlier request recently, so it cannot cancel this one; the operators\' council decides it. You can still confirm it.',
  'rebind.confirmHint': 'Moved to a new phone yourself? Confirm to apply it now: this key then loses all its rights.',
  'rebind.moved': 'Your health ID now belongs to the new key. Open the app with that key.',
  'rebind.assisted': 'in-person service (no key)',
  'action.cancelRebind': 'Cancel this change',
  'action.confirmRebind': 'Confirm: move to the new key now',
  'action.confirmRebindConfirm': 'Move your health ID to {key} now? This key loses all its rights at once; only the new key can then act for you.',

  'status.title': 'Membership',
  'status.never': 'You have not joined the exchange.',
  'status.enrolled': 'You take part in the exchange since {date}.',
  'status.withdrawn': 'You left the exchange on {date}.',
  'status.rejoinToday': 'You can join again today.',
  'status.rejoinFrom': 'You can join again from {date}.',
  'status.healthId': 'Health ID',
  'action.enrol': 'Join the exchange',
  'action.withdraw': 'Leave the exchange',
  'action.withdrawConfirm': 'Leave the exchange? Open requests and grants end at once, and you can join again from tomorrow.',

  'sources.title': 'Hospitals that share your records',
  'sources.all': 'Every hospital in the exchange (also those that join later)',
  'sources.only': 'Only the hospitals I choose',
  'sources.rule': 'You can change this choice once a day.',
  'sources.changedToday': 'You already changed it today: the next change is possible tomorrow.',
  'sources.current': 'Now: {list}',
  'sources.everyHospital': 'every hospital',
  'action.saveSources': 'Save hospitals',

  'sensitive.title': 'Sensitive data',
  'sensitive.on': 'Sensitive data (such as mental health or HIV status) may be shared.',
  'sensitive.off': 'Sensitive data is never shared.',
  'action.sensitiveOn': 'Allow sensitive data',
  'action.sensitiveOff': 'Stop sharing sensitive data',

  'requests.title': 'Requests waiting for you',
  'requests.none': 'No doctor is asking for your records.',
  'requests.item': '{doctor} at {hospital} asks to see your {categories} for {purpose}. The request ends at {until}.',
  'action.approve': 'Approve',
  'action.refuse': 'Refuse',

  'grants.title': 'Doctors you allowed',
  'grants.none': 'No doctor holds your permission now.',
  'grants.item': '{doctor} at {hospital} may see your {categories} until {until}.',
  'action.revoke': 'Revoke',

  'trust.light': 'Verified by the light client in this page: every value below is proven against a block the validators finalized, not taken on any server\'s word.',
  'trust.rpc': 'Unverified: everything on this page is what the node at {url} says. It cannot be checked here.',
  'trust.lightFailed': '(The light client did not start: {error}.)',
  'trust.tag': 'unverified',
  'log.unproven': 'Unverified: the {count} entries match the fingerprint this same node reports for your log (block #{block}), which proves nothing about that node.',
  'log.unavailable': 'the node did not serve the log at the verified fingerprint',
  'log.withheld': 'the node served a page without the entries the chain says are there',
  'audit.scanUnverified': 'Unverified: these blocks and events are as the node at {url} serves them (a light client keeps recent blocks only). A patient\'s log below is checked by the light client.',
  'notices.title': 'Since you last looked',
  'notices.none': 'Nothing new since you last looked.',
  'notices.unchecked': 'Your access log cannot be relied on here (see below), so new accesses are not listed.',
  'notices.access': '{doctor} at {hospital} saw your {categories} on {when}.',
  'notices.emergency': '{doctor} at {hospital} opened your records in an emergency and saw your {categories} on {when}. Reason given: {reason}. {review}',
  'notices.emergencyShort': '{doctor} at {hospital} opened your records in an emergency.',
  'notices.gone': 'no longer on the chain (reviewed and expired)',
  'notices.request': '{doctor} at {hospital} asks to see your {categories} for {purpose}.',
  'notices.grantEnded': 'The permission you gave {doctor} at {hospital} for your {categories} has ended.',
  'notices.markSeen': 'Mark all as seen',
  'notices.notifyAsk': 'Notify me while this page is open',
  'notices.notifyOn': 'You get a notification for a new request or an emergency access while this page is open.',
  'notify.request': 'A doctor asks to see your records',
  'notify.emergency': 'Emergency access to your records',
  'records.title': 'Records hospitals added about you',
  'records.none': 'No hospital has added a record about you to the exchange.',
  'records.anchor': '{hospital} added a record of your {category} on {when}.',
  'records.revoke': '{hospital} withdrew a record on {when}: {reason}.',
  'revoke.enteredInError': 'it was entered in error',
  'revoke.corrected': 'a corrected record replaces it',
  'revoke.erased': 'erased (the hospital destroyed its key)',
  'log.title': 'Who looked at your records',
  'log.none': 'No one has looked at your records through the exchange.',
  'log.item': '{doctor} at {hospital} saw your {categories} on {when}, {basis}.',
  'log.emergency': 'Emergency access',
  'log.verified': 'Verified: all {count} entries match the fingerprint the chain keeps for your log (block #{block}).',
  'log.verifiedPart': 'Verified: the newest {shown} of your {count} entries match the fingerprint the chain keeps for your log (block #{block}).',
  'log.verifiedEmpty': 'Verified: the chain too holds no entry in your log (block #{block}).',
  'log.notVerified': 'Warning: this log does not match the chain ({reason}). Do not rely on it; try another node.',
  'log.checking': 'Checking the log against the chain…',
  'basis.enrolment': 'because you take part in the exchange',
  'basis.grant': 'with the permission you gave (request {id})',
  'basis.emergency': 'under an emergency access (no consent was needed; the hospital must justify it)',

  'doctor': 'Doctor {licence}',
  'purpose.treatment': 'treatment',
  'purpose.emergency': 'emergency care',

  'tx.sending': 'Sending to the network…',
  'tx.done': 'Done: recorded in block #{block}.',
  'tx.refusedBy': 'The network refused: {sentence}',

  'verdict.1': 'an entry is missing or does not belong to this log',
  'verdict.2': 'an entry was altered',
  'verdict.3': 'entries are out of order',
  'verdict.4': 'the page does not end where it says',
  'verdict.5': 'the page is malformed',
  'verdict.head': 'the node answered for a different log state',

  'cat.allergy': 'drug allergies',
  'cat.diagnosis': 'diagnoses',
  'cat.medication': 'medicines',
  'cat.vaccine': 'vaccinations',
  'cat.procedure': 'procedures',
  'cat.measurement': 'measurements',
  'cat.labAndImaging': 'lab results and imaging',
  'cat.visit': 'visits',
  'cat.sensitive': 'sensitive data',
  'and': 'and',

  'audit.range': 'Blocks #{from} to #{to}',
  'audit.scan': 'Read the last {n} blocks',
  'audit.scanning': 'Reading block {n} of {total}…',
  'audit.byHospitalDay': 'Per hospital and day',
  'audit.col.day': 'Day',
  'audit.col.hospital': 'Hospital',
  'audit.col.attestations': 'Accesses',
  'audit.col.denials': 'Refused',
  'audit.col.emergencies': 'Emergency accesses',
  'audit.col.reviews': 'Reviews',
  'audit.denialsByReason': 'Refusals by reason',
  'audit.noDenials': 'No refused access in these blocks.',
  'audit.emergencies': 'Emergency accesses',
  'audit.noEmergencies': 'No emergency access in these blocks.',
  'audit.emergencyItem': '{doctor} at {hospital} opened an emergency access on {when} ({reason}). {review}',
  'audit.afterRefusal': 'Opened on a day the patient refused a request.',
  'audit.review.pending': 'Review pending.',
  'audit.review.justified': 'Reviewed: justified.',
  'audit.review.unjustified': 'Reviewed: unjustified.',
  'audit.drill': 'One patient\'s verified log',
  'audit.healthId': 'Health ID (0x and 64 hex digits)',
  'audit.show': 'Show log',
  'audit.badHealthId': 'A health ID is 0x followed by 64 hexadecimal digits.',
  'audit.chart': 'Accesses, refusals and emergency accesses per day',
  'reason.unconscious': 'the patient was unconscious',
  'reason.lifeThreatening': 'life-threatening condition',
  'reason.unableToConsent': 'the patient could not consent',
  'deny.unknownHospital': 'unknown hospital',
  'deny.hospitalSuspended': 'hospital suspended',
  'deny.unknownPractitioner': 'unknown doctor',
  'deny.practitionerNotLicensed': 'doctor not licensed',
  'deny.notAffiliated': 'doctor not affiliated with the hospital',
  'deny.termsNotAccepted': 'doctor has not accepted the terms',
  'deny.unknownPatient': 'unknown patient',
  'deny.patientDeactivated': 'health ID deactivated',
  'deny.notEnrolled': 'patient not enrolled',
  'deny.withdrawn': 'patient withdrew',
  'deny.sensitiveNotOptedIn': 'sensitive data without the patient\'s opt-in',
  'deny.noCategories': 'no data category asked',
  'deny.noEmergencyAccess': 'no open emergency access',
  'deny.consentRequestNeeded': 'the patient\'s approval was needed',
  'deny.noRecords': 'no record named',
  'deny.duplicateRecord': 'a record named twice',
  'audit.col.reason': 'Reason',
  'audit.col.count': 'Count',
  'audit.showLog': 'Show this patient\'s log',
};

const th = {
  'app.patient': 'การแบ่งปันข้อมูลสุขภาพของฉัน',
  'app.audit': 'การตรวจสอบการเข้าถึงข้อมูล',
  'app.index': 'แอปของ HealthChain',
  'conn.connecting': 'กำลังเชื่อมต่อ {url}…',
  'conn.connected': 'เชื่อมต่อกับ {chain} แล้ว ที่บล็อก #{block}',
  'conn.failed': 'ติดต่อเครือข่ายที่ {url} ไม่ได้ โหนดทำงานอยู่หรือไม่',
  'conn.endpoint': 'ที่อยู่เครือข่าย',
  'conn.use': 'เชื่อมต่อ',
  'conn.fromConfig': '(ค่าที่ตั้งไว้ของแอป)',
  'conn.fromUser': '(คุณเลือกไว้ในเบราว์เซอร์นี้)',
  'conn.useConfigured': 'กลับไปใช้ที่อยู่ของแอป ({url})',
  'conn.askTitle': 'เชื่อมต่อกับเครือข่ายอื่นหรือไม่',
  'conn.ask': 'ลิงก์ที่คุณเปิดขอให้แอปนี้ใช้เครือข่ายที่ {asked} แทน {current}',
  'conn.askWarning': 'ยอมรับเฉพาะเมื่อคุณเชื่อถือผู้ที่ส่งลิงก์นี้มา เครือข่ายปลอมอาจแสดงข้อมูลเท็จและขอให้คุณลงนามในรายการที่คุณไม่ได้ตั้งใจ แอปจะจำตัวเลือกของคุณไว้ในเบราว์เซอร์นี้',
  'conn.keep': 'ใช้ {url} ต่อไป',
  'conn.accept': 'ใช้ {url}',
  'conn.askedInvalid': 'ลิงก์ระบุ "{asked}" ซึ่งไม่ใช่ที่อยู่เครือข่าย จึงไม่ได้นำมาใช้',

  'key.title': 'กุญแจของคุณ',
  'key.extension': 'ใช้ส่วนขยายกระเป๋าเงินในเบราว์เซอร์',
  'key.extensionNone': 'ไม่พบส่วนขยายกระเป๋าเงิน ติดตั้ง polkadot{.js} หรือใช้กุญแจสำหรับการพัฒนาด้านล่าง',
  'key.extensionPick': 'บัญชีจากส่วนขยาย',
  'key.local': 'กุญแจสำหรับการพัฒนา (เก็บแบบเข้ารหัสในเบราว์เซอร์นี้)',
  'key.secret': 'วลีลับ ซีด หรือ URI สำหรับการพัฒนา',
  'key.password': 'รหัสผ่าน',
  'key.save': 'บันทึกและปลดล็อก',
  'key.unlock': 'ปลดล็อก',
  'key.forget': 'ลืมกุญแจนี้',
  'key.badPassword': 'รหัสผ่านนี้ปลดล็อกกุญแจที่บันทึกไว้ไม่ได้',
  'key.badSecret': 'ข้อความนี้ไม่ใช่วลีลับ ซีด หรือ URI สำหรับการพัฒนา',
  'key.noHealthId': 'กุญแจนี้ไม่ได้ควบคุมหมายเลขสุขภาพใด นายทะเบียนจะลงทะเบียนหมายเลขสุขภาพให้เมื่อคุณแสดงบัตรประจำตัว',
  'key.account': 'ลงนามในนาม {address}',

  'rebind.title': 'นายทะเบียนขอย้ายหมายเลขสุขภาพของคุณไปยังกุญแจอื่น',
  'rebind.toKey': 'นายทะเบียน ({registrar}) กำหนดให้ผูกหมายเลขสุขภาพของคุณกับกุญแจใหม่: {key}',
  'rebind.toAssisted': 'นายทะเบียน ({registrar}) กำหนดให้ถอดหมายเลขสุขภาพของคุณออกจากกุญแจนี้ หลังจากนั้นคุณจะรับบริการด้วยตนเองที่โรงพยาบาลโดยไม่มีกุญแจ',
  'rebind.when': 'จะมีผลตั้งแต่ประมาณ {when} (บล็อก #{block}) ก่อนหน้านั้นกุญแจนี้ยังมีสิทธิ์ทั้งหมด',
  'rebind.due': 'พ้นระยะเวลารอแล้วที่บล็อก #{block} นายทะเบียนคนใดก็ทำให้มีผลได้ทันที',
  'rebind.whenContested': 'ไม่มีกำหนดวันมีผล จะมีผลก็ต่อเมื่อคณะกรรมการผู้ดำเนินการเครือข่ายอนุมัติ หรือคุณยืนยันเท่านั้น ก่อนหน้านั้นกุญแจนี้ยังมีสิทธิ์ทั้งหมด',
  'rebind.uncontested': 'ไม่มีการคัดค้าน หากคุณไม่ได้ขอ (โทรศัพท์ยังอยู่กับคุณ) ให้ยกเลิก',
  'rebind.contested': 'มีการคัดค้าน: กุญแจนี้เพิ่งยกเลิกคำขอก่อนหน้า จึงยกเลิกคำขอนี้ไม่ได้ คณะกรรมการผู้ดำเนินการเครือข่ายจะเป็นผู้ตัดสิน คุณยังยืนยันคำขอนี้ได้',
  'rebind.confirmHint': 'หากคุณย้ายไปโทรศัพท์เครื่องใหม่เอง กดยืนยันเพื่อให้มีผลทันที หลังจากนั้นกุญแจนี้จะไม่มีสิทธิ์ใด ๆ อีก',
  'rebind.moved': 'หมายเลขสุขภาพของคุณเป็นของกุญแจใหม่แล้ว เปิดแอปด้วยกุญแจนั้น',
  'rebind.assisted': 'การรับบริการด้วยตนเอง (ไม่มีกุญแจ)',
  'action.cancelRebind': 'ยกเลิกการเปลี่ยนแปลงนี้',
  'action.confirmRebind': 'ยืนยัน: ย้ายไปกุญแจใหม่ทันที',
  'action.confirmRebindConfirm': 'ย้ายหมายเลขสุขภาพของคุณไปยัง {key} ทันทีหรือไม่ กุญแจนี้จะหมดสิทธิ์ทั้งหมดทันที และมีเพียงกุญแจใหม่เท่านั้นที่ทำรายการแทนคุณได้',

  'status.title': 'การเป็นสมาชิก',
  'status.never': 'คุณยังไม่ได้เข้าร่วมการแลกเปลี่ยนข้อมูล',
  'status.enrolled': 'คุณเข้าร่วมการแลกเปลี่ยนข้อมูลตั้งแต่ {date}',
  'status.withdrawn': 'คุณออกจากการแลกเปลี่ยนข้อมูลเมื่อ {date}',
  'status.rejoinToday': 'คุณเข้าร่วมใหม่ได้ตั้งแต่วันนี้',
  'status.rejoinFrom': 'คุณเข้าร่วมใหม่ได้ตั้งแต่ {date}',
  'status.healthId': 'หมายเลขสุขภาพ',
  'action.enrol': 'เข้าร่วมการแลกเปลี่ยนข้อมูล',
  'action.withdraw': 'ออกจากการแลกเปลี่ยนข้อมูล',
  'action.withdrawConfirm': 'ออกจากการแลกเปลี่ยนข้อมูลหรือไม่ คำขอและการอนุญาตที่ค้างอยู่จะสิ้นสุดทันที และคุณเข้าร่วมใหม่ได้ตั้งแต่พรุ่งนี้',

  'sources.title': 'โรงพยาบาลที่แบ่งปันข้อมูลของคุณ',
  'sources.all': 'ทุกโรงพยาบาลในเครือข่าย (รวมถึงที่จะเข้าร่วมภายหลัง)',
  'sources.only': 'เฉพาะโรงพยาบาลที่ฉันเลือก',
  'sources.rule': 'คุณเปลี่ยนตัวเลือกนี้ได้วันละหนึ่งครั้ง',
  'sources.changedToday': 'วันนี้คุณเปลี่ยนไปแล้ว เปลี่ยนครั้งต่อไปได้พรุ่งนี้',
  'sources.current': 'ปัจจุบัน: {list}',
  'sources.everyHospital': 'ทุกโรงพยาบาล',
  'action.saveSources': 'บันทึกโรงพยาบาล',

  'sensitive.title': 'ข้อมูลอ่อนไหว',
  'sensitive.on': 'อนุญาตให้แบ่งปันข้อมูลอ่อนไหว (เช่น สุขภาพจิต หรือสถานะเอชไอวี)',
  'sensitive.off': 'ไม่แบ่งปันข้อมูลอ่อนไหว',
  'action.sensitiveOn': 'อนุญาตข้อมูลอ่อนไหว',
  'action.sensitiveOff': 'หยุดแบ่งปันข้อมูลอ่อนไหว',

  'requests.title': 'คำขอที่รอคุณตอบ',
  'requests.none': 'ไม่มีแพทย์ขอดูข้อมูลของคุณ',
  'requests.item': '{doctor} ที่ {hospital} ขอดู{categories}ของคุณเพื่อ{purpose} คำขอสิ้นสุดเวลา {until}',
  'action.approve': 'อนุญาต',
  'action.refuse': 'ปฏิเสธ',

  'grants.title': 'แพทย์ที่คุณอนุญาต',
  'grants.none': 'ขณะนี้ไม่มีแพทย์ที่ได้รับอนุญาตจากคุณ',
  'grants.item': '{doctor} ที่ {hospital} ดู{categories}ของคุณได้ถึง {until}',
  'action.revoke': 'เพิกถอน',

  'trust.light': 'ตรวจสอบแล้วโดยไลต์ไคลเอนต์ในหน้านี้: ทุกค่าด้านล่างพิสูจน์กับบล็อกที่ผู้ตรวจสอบยืนยันแล้ว ไม่ได้เชื่อตามคำของเซิร์ฟเวอร์ใด',
  'trust.rpc': 'ยังไม่ได้ตรวจสอบ: ทุกอย่างในหน้านี้เป็นสิ่งที่โหนด {url} บอก ซึ่งตรวจสอบที่นี่ไม่ได้',
  'trust.lightFailed': '(ไลต์ไคลเอนต์เริ่มไม่ได้: {error})',
  'trust.tag': 'ยังไม่ได้ตรวจสอบ',
  'log.unproven': 'ยังไม่ได้ตรวจสอบ: รายการทั้ง {count} รายการตรงกับลายนิ้วมือที่โหนดเดียวกันนี้รายงาน (บล็อก #{block}) ซึ่งพิสูจน์อะไรเกี่ยวกับโหนดนั้นไม่ได้',
  'log.unavailable': 'โหนดไม่ส่งบันทึกตามลายนิ้วมือที่ตรวจสอบแล้ว',
  'log.withheld': 'โหนดส่งหน้าที่ไม่มีรายการที่เชนระบุว่ามีอยู่',
  'audit.scanUnverified': 'ยังไม่ได้ตรวจสอบ: บล็อกและเหตุการณ์เหล่านี้เป็นไปตามที่โหนด {url} ส่งมา (ไลต์ไคลเอนต์เก็บเฉพาะบล็อกล่าสุด) บันทึกของผู้ป่วยด้านล่างตรวจสอบโดยไลต์ไคลเอนต์',
  'notices.title': 'ตั้งแต่คุณดูครั้งล่าสุด',
  'notices.none': 'ไม่มีอะไรใหม่ตั้งแต่คุณดูครั้งล่าสุด',
  'notices.unchecked': 'บันทึกการเข้าถึงของคุณเชื่อถือไม่ได้ในหน้านี้ (ดูด้านล่าง) จึงไม่แสดงการเข้าถึงใหม่',
  'notices.access': '{doctor} ที่ {hospital} ดู{categories}ของคุณเมื่อ {when}',
  'notices.emergency': '{doctor} ที่ {hospital} เปิดดูข้อมูลของคุณในกรณีฉุกเฉิน และดู{categories}ของคุณเมื่อ {when} เหตุผลที่ให้: {reason} {review}',
  'notices.emergencyShort': '{doctor} ที่ {hospital} เปิดดูข้อมูลของคุณในกรณีฉุกเฉิน',
  'notices.gone': 'ไม่อยู่บนเชนแล้ว (ทบทวนแล้วและหมดอายุ)',
  'notices.request': '{doctor} ที่ {hospital} ขอดู{categories}ของคุณเพื่อ{purpose}',
  'notices.grantEnded': 'การอนุญาตที่คุณให้ {doctor} ที่ {hospital} สำหรับ{categories}ของคุณสิ้นสุดแล้ว',
  'notices.markSeen': 'ทำเครื่องหมายว่าดูแล้วทั้งหมด',
  'notices.notifyAsk': 'แจ้งเตือนฉันขณะที่หน้านี้เปิดอยู่',
  'notices.notifyOn': 'คุณจะได้รับการแจ้งเตือนเมื่อมีคำขอใหม่หรือการเข้าถึงฉุกเฉินขณะที่หน้านี้เปิดอยู่',
  'notify.request': 'แพทย์ขอดูข้อมูลของคุณ',
  'notify.emergency': 'มีการเข้าถึงข้อมูลของคุณในกรณีฉุกเฉิน',
  'records.title': 'ข้อมูลที่โรงพยาบาลบันทึกเกี่ยวกับคุณ',
  'records.none': 'ยังไม่มีโรงพยาบาลใดบันทึกข้อมูลของคุณเข้าสู่เครือข่าย',
  'records.anchor': '{hospital} เพิ่มข้อมูล{category}ของคุณเมื่อ {when}',
  'records.revoke': '{hospital} ถอนข้อมูลรายการหนึ่งเมื่อ {when}: {reason}',
  'revoke.enteredInError': 'บันทึกผิดพลาด',
  'revoke.corrected': 'มีข้อมูลที่แก้ไขแล้วมาแทน',
  'revoke.erased': 'ลบแล้ว (โรงพยาบาลทำลายกุญแจของข้อมูล)',
  'log.title': 'ใครดูข้อมูลของคุณบ้าง',
  'log.none': 'ยังไม่มีใครดูข้อมูลของคุณผ่านเครือข่าย',
  'log.item': '{doctor} ที่ {hospital} ดู{categories}ของคุณเมื่อ {when} {basis}',
  'log.emergency': 'การเข้าถึงกรณีฉุกเฉิน',
  'log.verified': 'ตรวจสอบแล้ว: ทั้ง {count} รายการตรงกับลายนิ้วมือที่บล็อกเชนเก็บไว้สำหรับบันทึกของคุณ (บล็อก #{block})',
  'log.verifiedPart': 'ตรวจสอบแล้ว: {shown} รายการล่าสุดจากทั้งหมด {count} รายการตรงกับลายนิ้วมือที่บล็อกเชนเก็บไว้สำหรับบันทึกของคุณ (บล็อก #{block})',
  'log.verifiedEmpty': 'ตรวจสอบแล้ว: บล็อกเชนก็ไม่มีรายการในบันทึกของคุณเช่นกัน (บล็อก #{block})',
  'log.notVerified': 'คำเตือน: บันทึกนี้ไม่ตรงกับบล็อกเชน ({reason}) อย่าเชื่อถือ ลองใช้โหนดอื่น',
  'log.checking': 'กำลังตรวจสอบบันทึกกับบล็อกเชน…',
  'basis.enrolment': 'เพราะคุณเข้าร่วมการแลกเปลี่ยนข้อมูล',
  'basis.grant': 'ด้วยการอนุญาตของคุณ (คำขอ {id})',
  'basis.emergency': 'ภายใต้การเข้าถึงกรณีฉุกเฉิน (ไม่ต้องขอความยินยอม โรงพยาบาลต้องชี้แจงเหตุผล)',

  'doctor': 'แพทย์ {licence}',
  'purpose.treatment': 'การรักษา',
  'purpose.emergency': 'การดูแลฉุกเฉิน',

  'tx.sending': 'กำลังส่งไปยังเครือข่าย…',
  'tx.done': 'เรียบร้อย: บันทึกในบล็อก #{block}',
  'tx.refusedBy': 'เครือข่ายปฏิเสธ: {sentence}',

  'verdict.1': 'มีรายการหายไปหรือไม่ใช่ของบันทึกนี้',
  'verdict.2': 'มีรายการถูกแก้ไข',
  'verdict.3': 'ลำดับรายการไม่ถูกต้อง',
  'verdict.4': 'หน้าบันทึกไม่ได้สิ้นสุดตรงที่ระบุ',
  'verdict.5': 'หน้าบันทึกผิดรูปแบบ',
  'verdict.head': 'โหนดตอบด้วยสถานะบันทึกที่ต่างออกไป',

  'cat.allergy': 'ประวัติการแพ้ยา',
  'cat.diagnosis': 'การวินิจฉัยโรค',
  'cat.medication': 'รายการยา',
  'cat.vaccine': 'การฉีดวัคซีน',
  'cat.procedure': 'หัตถการ',
  'cat.measurement': 'ผลการตรวจวัด',
  'cat.labAndImaging': 'ผลแล็บและภาพถ่ายทางการแพทย์',
  'cat.visit': 'ประวัติการรับบริการ',
  'cat.sensitive': 'ข้อมูลอ่อนไหว',
  'and': 'และ',

  'audit.range': 'บล็อก #{from} ถึง #{to}',
  'audit.scan': 'อ่าน {n} บล็อกล่าสุด',
  'audit.scanning': 'กำลังอ่านบล็อก {n} จาก {total}…',
  'audit.byHospitalDay': 'แยกตามโรงพยาบาลและวัน',
  'audit.col.day': 'วัน',
  'audit.col.hospital': 'โรงพยาบาล',
  'audit.col.attestations': 'การเข้าถึง',
  'audit.col.denials': 'ถูกปฏิเสธ',
  'audit.col.emergencies': 'การเข้าถึงฉุกเฉิน',
  'audit.col.reviews': 'การทบทวน',
  'audit.denialsByReason': 'การปฏิเสธแยกตามเหตุผล',
  'audit.noDenials': 'ไม่มีการเข้าถึงที่ถูกปฏิเสธในบล็อกเหล่านี้',
  'audit.emergencies': 'การเข้าถึงกรณีฉุกเฉิน',
  'audit.noEmergencies': 'ไม่มีการเข้าถึงกรณีฉุกเฉินในบล็อกเหล่านี้',
  'audit.emergencyItem': '{doctor} ที่ {hospital} เปิดการเข้าถึงฉุกเฉินเมื่อ {when} ({reason}) {review}',
  'audit.afterRefusal': 'เปิดในวันที่ผู้ป่วยปฏิเสธคำขอ',
  'audit.review.pending': 'รอการทบทวน',
  'audit.review.justified': 'ทบทวนแล้ว: มีเหตุผลสมควร',
  'audit.review.unjustified': 'ทบทวนแล้ว: ไม่มีเหตุผลสมควร',
  'audit.drill': 'บันทึกที่ตรวจสอบแล้วของผู้ป่วยหนึ่งราย',
  'audit.healthId': 'หมายเลขสุขภาพ (0x ตามด้วยเลขฐานสิบหก 64 หลัก)',
  'audit.show': 'แสดงบันทึก',
  'audit.badHealthId': 'หมายเลขสุขภาพคือ 0x ตามด้วยเลขฐานสิบหก 64 หลัก',
  'audit.chart': 'การเข้าถึง การปฏิเสธ และการเข้าถึงฉุกเฉินรายวัน',
  'reason.unconscious': 'ผู้ป่วยหมดสติ',
  'reason.lifeThreatening': 'ภาวะคุกคามชีวิต',
  'reason.unableToConsent': 'ผู้ป่วยให้ความยินยอมไม่ได้',
  'deny.unknownHospital': 'ไม่รู้จักโรงพยาบาล',
  'deny.hospitalSuspended': 'โรงพยาบาลถูกระงับ',
  'deny.unknownPractitioner': 'ไม่รู้จักแพทย์',
  'deny.practitionerNotLicensed': 'แพทย์ไม่มีใบอนุญาต',
  'deny.notAffiliated': 'แพทย์ไม่ได้สังกัดโรงพยาบาลนี้',
  'deny.termsNotAccepted': 'แพทย์ยังไม่ยอมรับเงื่อนไข',
  'deny.unknownPatient': 'ไม่รู้จักผู้ป่วย',
  'deny.patientDeactivated': 'หมายเลขสุขภาพถูกระงับ',
  'deny.notEnrolled': 'ผู้ป่วยไม่ได้เข้าร่วม',
  'deny.withdrawn': 'ผู้ป่วยออกจากการแลกเปลี่ยนข้อมูลแล้ว',
  'deny.sensitiveNotOptedIn': 'ข้อมูลอ่อนไหวโดยผู้ป่วยไม่ได้อนุญาต',
  'deny.noCategories': 'ไม่ได้ระบุประเภทข้อมูล',
  'deny.noEmergencyAccess': 'ไม่มีการเข้าถึงฉุกเฉินที่เปิดอยู่',
  'deny.consentRequestNeeded': 'ต้องได้รับการอนุญาตจากผู้ป่วยก่อน',
  'deny.noRecords': 'ไม่ได้ระบุเอกสาร',
  'deny.duplicateRecord': 'ระบุเอกสารซ้ำ',
  'audit.col.reason': 'เหตุผล',
  'audit.col.count': 'จำนวน',
  'audit.showLog': 'แสดงบันทึกของผู้ป่วยรายนี้',
};

const dictionaries = { en, th };
// Kept in the browser's storage; the end-to-end test imports this module under Node.js too.
const store = globalThis.localStorage ?? { getItem: () => null, setItem: () => {} };
let lang = store.getItem('healthchain.lang') === 'th' ? 'th' : 'en';
const listeners = [];

/** The current language: `en` or `th`. */
export const language = () => lang;

/** Switches the language and re-renders whoever listens. */
export function setLanguage(next) {
  lang = next === 'th' ? 'th' : 'en';
  store.setItem('healthchain.lang', lang);
  document.documentElement.lang = lang;
  listeners.forEach((f) => f());
}

/** Calls `f` after every language switch. */
export const onLanguage = (f) => listeners.push(f);

/** The label `key` in the current language, with `{name}` filled from `vars`. */
export function t(key, vars = {}) {
  const text = dictionaries[lang][key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

/** An enum variant's name as the RPC and the label keys spell it (`LabAndImaging` →
 * `labAndImaging`). */
export const camel = (name) => name.charAt(0).toLowerCase() + name.slice(1);

/** Whether a label exists (in English, the complete dictionary). */
export const has = (key) => key in en;

/** A list joined in words: "a, b and c". */
export function words(items) {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${t('and')} ${items[items.length - 1]}`;
}

/** A time (ms since the epoch) in Bangkok time, in the current language. */
export function when(ms) {
  return new Intl.DateTimeFormat(lang === 'th' ? 'th-TH' : 'en-GB', {
    timeZone: 'Asia/Bangkok', dateStyle: 'medium', timeStyle: 'short',
  }).format(new Date(Number(ms)));
}

/** A chain day number (days since 1970-01-01 in Bangkok) as a date. */
export function day(n) {
  return new Intl.DateTimeFormat(lang === 'th' ? 'th-TH' : 'en-GB', {
    timeZone: 'UTC', dateStyle: 'medium',
  }).format(new Date(Number(n) * 86_400_000));
}

/** The language switch: two buttons in `parent`. */
export function languageSwitch(parent) {
  for (const code of ['en', 'th']) {
    const b = document.createElement('button');
    b.className = 'lang';
    b.dataset.lang = code;
    b.textContent = en[`lang.${code}`];
    b.onclick = () => setLanguage(code);
    parent.append(b);
  }
}
