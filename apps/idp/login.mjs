// The development identity provider's pages: sign-in (Thai and English side by side),
// sign-out confirmation and errors. Everything put into HTML goes through escapeHtml.

/** Text for HTML element content and double-quoted attribute values. */
export function escapeHtml(value) {
  return String(value ?? '').replace(/[&<>"'`=]/g, (c) => `&#${c.charCodeAt(0)};`);
}

// The pages carry no script; this header keeps it that way. No form-action: browsers apply it
// to the redirects that follow a form post, and sign-in ends with a redirect to the app.
export const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'";

const STYLE = `
:root { font-family: system-ui, "Noto Sans Thai", sans-serif; color: #1d2733; background: #f5f7fa; }
body { margin: 0; }
header { background: #0f5e7a; color: #fff; padding: 0.8rem 1.2rem; }
header h1 { font-size: 1.2rem; margin: 0; }
main { max-width: 30rem; margin: 1.5rem auto; padding: 0 1rem; }
section { background: #fff; border-radius: 8px; padding: 1rem 1.2rem; box-shadow: 0 1px 3px #0002; }
h2 { font-size: 1.05rem; margin: 0 0 0.8rem; color: #0f5e7a; }
label { display: block; margin: 0.8rem 0 0.25rem; font-weight: 600; }
input { font: inherit; padding: 0.45rem; width: 100%; box-sizing: border-box; border: 1px solid #9fb0c0; border-radius: 4px; }
.actions { display: flex; gap: 0.6rem; margin-top: 1.1rem; flex-wrap: wrap; }
button { font: inherit; padding: 0.45rem 1rem; border-radius: 4px; border: 1px solid #0f5e7a; background: #0f5e7a; color: #fff; cursor: pointer; }
button.secondary { background: #fff; color: #0f5e7a; }
.refusal { background: #fde8e8; border-left: 4px solid #a33; padding: 0.5rem 0.7rem; margin-bottom: 0.6rem; }
.muted { color: #5b6b7b; font-size: 0.9em; }
`;

function page({ title, body }) {
  return `<!DOCTYPE html>
<html lang="th">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>HealthChain — ระบบยืนยันตัวตน / Sign-in service</h1></header>
<main>
${body}
<p class="muted">ผู้ให้บริการยืนยันตัวตนสำหรับการพัฒนาและทดสอบ / Development and test identity provider</p>
</main>
</body>
</html>`;
}

/**
 * The sign-in form. `action`: where it posts; `abortUrl`: the cancel form's target;
 * `client`: the app's display name; `licence`: the value to show again; `error`: the
 * bilingual sentence to show (plain text) or undefined.
 */
export function loginPage({
  action, abortUrl, client, licence = '', error,
}) {
  const errorHtml = error
    ? `<p id="login-error" class="refusal" role="alert">${escapeHtml(error)}</p>`
    : '';
  return page({
    title: 'เข้าสู่ระบบ / Sign in',
    body: `<section>
<h2>เข้าสู่ระบบ / Sign in</h2>
<p class="muted">เพื่อใช้งาน / to continue to: <strong>${escapeHtml(client)}</strong></p>
${errorHtml}
<form id="login-form" method="post" action="${escapeHtml(action)}">
<label for="licence">เลขที่ใบอนุญาตประกอบวิชาชีพ / Medical Council licence number</label>
<input id="licence" name="licence" type="text" required maxlength="64" autocomplete="username" autocapitalize="characters" spellcheck="false" value="${escapeHtml(licence)}"${licence ? '' : ' autofocus'}>
<label for="pin">รหัส PIN / PIN</label>
<input id="pin" name="pin" type="password" required maxlength="64" inputmode="numeric" autocomplete="current-password"${licence ? ' autofocus' : ''}>
<div class="actions">
<button id="sign-in" type="submit">เข้าสู่ระบบ / Sign in</button>
<button id="cancel" class="secondary" type="submit" form="abort-form">ยกเลิก / Cancel</button>
</div>
</form>
<form id="abort-form" method="post" action="${escapeHtml(abortUrl)}"></form>
</section>`,
  });
}

export const WRONG_CREDENTIALS = 'Wrong licence number or PIN. / เลขที่ใบอนุญาตหรือ PIN ไม่ถูกต้อง';

export function tooManyAttempts(waitMs) {
  const minutes = Math.max(1, Math.ceil(waitMs / 60000));
  return `Too many wrong attempts for this licence number: wait ${minutes} minute${minutes === 1 ? '' : 's'} and try again. / ใส่ข้อมูลผิดหลายครั้งเกินไปสำหรับเลขที่ใบอนุญาตนี้ กรุณารอ ${minutes} นาทีแล้วลองใหม่`;
}

/** An error page: `heading` and `detail` are plain text. */
export function errorPage({ heading, detail }) {
  return page({
    title: 'เกิดข้อผิดพลาด / Something went wrong',
    body: `<section>
<h2>เกิดข้อผิดพลาด / Something went wrong</h2>
<p id="error" class="refusal" role="alert">${escapeHtml(heading)}</p>
${detail ? `<p class="muted">${escapeHtml(detail)}</p>` : ''}
<p>กลับไปที่แอปแล้วเข้าสู่ระบบอีกครั้ง / Go back to the app and sign in again.</p>
</section>`,
  });
}

/** The sign-out confirmation: `form` is oidc-provider's hidden form (id op.logoutForm). */
export function logoutPage({ form }) {
  return page({
    title: 'ออกจากระบบ / Sign out',
    body: `<section>
<h2>ออกจากระบบ / Sign out</h2>
<p>ต้องการออกจากระบบหรือไม่ / Do you want to sign out?</p>
${form}
<div class="actions">
<button id="sign-out" type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>ออกจากระบบ / Sign out</button>
<button id="stay" class="secondary" type="submit" form="op.logoutForm">ไม่ใช่ / Stay signed in</button>
</div>
</section>`,
  });
}

export function loggedOutPage() {
  return page({
    title: 'ออกจากระบบแล้ว / Signed out',
    body: `<section>
<h2>ออกจากระบบแล้ว / Signed out</h2>
<p id="signed-out">คุณออกจากระบบแล้ว ปิดหน้านี้ได้ / You are signed out; you can close this page.</p>
</section>`,
  });
}
