// The sign-up page: plain HTML with a form that posts without JavaScript.

export interface PageAttendee {
  name: string;
  signedUpAt: Date;
}

export interface PageData {
  eventName: string;
  capacity: number;
  attendees: PageAttendee[];
  /** Shown above the form after a failed sign-up. */
  errors?: Record<string, string>;
  /** What the visitor typed, kept after a failed sign-up. */
  values?: { name?: string; email?: string };
  notice?: string;
}

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => escapes[c]!);
}

const STYLE = `
  body { font-family: system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1d2230; }
  main { max-width: 40rem; margin: 3rem auto; padding: 0 1rem; }
  h1 { margin-bottom: .25rem; }
  .seats { color: #5a6170; margin-top: 0; }
  section { background: #fff; border-radius: 10px; padding: 1.25rem 1.5rem; margin-bottom: 1.25rem; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
  form { display: grid; gap: .75rem; }
  label { display: grid; gap: .25rem; font-weight: 600; }
  input { font: inherit; padding: .55rem .7rem; border: 1px solid #c9ced8; border-radius: 6px; }
  button { font: inherit; font-weight: 600; padding: .6rem 1rem; border: 0; border-radius: 6px; background: #3557d4; color: #fff; cursor: pointer; justify-self: start; }
  button:disabled { background: #9aa6c9; cursor: default; }
  .errors { color: #a8071a; background: #fff1f0; border-radius: 6px; padding: .5rem .75rem; margin: 0; }
  .notice { color: #135200; background: #f6ffed; border-radius: 6px; padding: .5rem .75rem; margin: 0 0 .75rem; }
  ol { padding-left: 1.5rem; margin: 0; }
  li { padding: .2rem 0; }
  time { color: #5a6170; font-size: .85em; margin-left: .5rem; }
`;

export function renderPage(data: PageData): string {
  const left = Math.max(0, data.capacity - data.attendees.length);
  const errors = Object.values(data.errors ?? {});
  const list =
    data.attendees.length === 0
      ? '<p>No one yet. Be the first!</p>'
      : `<ol id="attendees">${data.attendees
          .map((a) => `<li>${escapeHtml(a.name)}<time datetime="${a.signedUpAt.toISOString()}">${a.signedUpAt.toISOString().slice(0, 10)}</time></li>`)
          .join('')}</ol>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(data.eventName)}: sign up</title>
<style>${STYLE}</style>
</head>
<body>
<main>
  <h1>${escapeHtml(data.eventName)}</h1>
  <p class="seats">${data.attendees.length} signed up, ${left} of ${data.capacity} seats left</p>
  <section>
    <h2>Sign up</h2>
    ${data.notice === undefined ? '' : `<p class="notice" role="status">${escapeHtml(data.notice)}</p>`}
    ${errors.length === 0 ? '' : `<ul class="errors" role="alert">${errors.map((e) => `<li>${escapeHtml(e)}</li>`).join('')}</ul>`}
    <form method="post" action="/signups">
      <label>Name <input name="name" autocomplete="name" required maxlength="100" value="${escapeHtml(data.values?.name ?? '')}"></label>
      <label>Email <input name="email" type="email" autocomplete="email" required value="${escapeHtml(data.values?.email ?? '')}"></label>
      <button type="submit"${left === 0 ? ' disabled' : ''}>${left === 0 ? 'The event is full' : 'Sign me up'}</button>
    </form>
  </section>
  <section>
    <h2>Who is coming</h2>
    ${list}
  </section>
</main>
</body>
</html>
`;
}
