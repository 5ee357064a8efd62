// Small DOM helpers. Text always goes in as text (never as HTML), so names, keys and policy
// documents cannot inject markup.

let idSeq = 0;

/** Navigates to a hash route (re-rendering when it is the current one). */
export function go(hash) {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}

/** Current route: path segments (decoded) and query parameters of the hash. */
export function current() {
  const raw = location.hash.replace(/^#/, '') || '/s3';
  const [path, qs] = raw.split('?');
  return { segments: path.split('/').filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(qs || '') };
}

/** A hash for segments (each encoded) and optional params. */
export function hashOf(segments, params) {
  const q = params ? new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '')).toString() : '';
  return '#/' + segments.map(encodeURIComponent).join('/') + (q ? '?' + q : '');
}
export const uid = (p = 'id') => `${p}-${++idSeq}`;

/** h('div', {class: 'x', onclick: fn}, child, 'text', [more]) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = !!v;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A labelled form field: returns the wrapper; the control gets an id and aria-describedby. */
export function field(label, control, help) {
  const id = control.id || uid('f');
  control.id = id;
  const parts = [h('label', { for: id }, label), control];
  if (help) {
    const hid = uid('help');
    control.setAttribute('aria-describedby', hid);
    parts.push(h('p', { class: 'help', id: hid }, help));
  }
  return h('div', { class: 'field' }, parts);
}

export function checkbox(label, checked, attrs = {}) {
  const input = h('input', { type: 'checkbox', checked, ...attrs });
  const id = uid('cb');
  input.id = id;
  return { input, el: h('div', { class: 'check' }, input, h('label', { for: id }, label)) };
}

/** A radio group in a fieldset; returns {el, value()}. */
export function radios(legend, name, options, selected) {
  const inputs = options.map(([value, label, help]) => {
    const id = uid('r');
    const input = h('input', { type: 'radio', name, value, id, checked: value === selected });
    return [input, h('div', { class: 'check' }, input, h('label', { for: id }, label, help ? h('span', { class: 'help' }, ' — ', help) : null))];
  });
  const el = h('fieldset', {}, h('legend', {}, legend), inputs.map((x) => x[1]));
  return { el, inputs: inputs.map((x) => x[0]), value: () => inputs.find((x) => x[0].checked)?.[0].value };
}

/** An alert region: kind is 'error', 'success', 'info' or 'warning'. */
export function alertBox(kind, ...content) {
  return h('div', { class: `alert alert-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, content);
}

/** An error from the API, AccessDenied included, as AWS's console shows it. */
export function errorBox(err) {
  if (err && err.code) {
    return alertBox('error', h('strong', {}, err.code), ': ', err.message || '');
  }
  return alertBox('error', String(err?.message || err));
}

/** Runs `fn`, showing any failure in `slot` (cleared first). Returns fn's result or undefined. */
export async function attempt(slot, fn) {
  if (slot) clear(slot);
  try {
    return await fn();
  } catch (err) {
    console.error(err);
    if (slot) clear(slot, errorBox(err));
    return undefined;
  }
}

export function copyButton(text, what = 'ARN') {
  const status = h('span', { class: 'sr-only', 'aria-live': 'polite' });
  const btn = h('button', {
    type: 'button', class: 'btn btn-small copy', title: `Copy ${what}`, 'aria-label': `Copy ${what}`,
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(text);
      } catch {
        const ta = h('textarea', {}, text);
        document.body.append(ta);
        ta.select();
        document.execCommand('copy');
        ta.remove();
      }
      btn.textContent = 'Copied';
      status.textContent = `${what} copied`;
      setTimeout(() => { btn.textContent = 'Copy'; }, 1500);
    },
  }, 'Copy');
  return h('span', { class: 'copy-wrap' }, btn, status);
}

/** An ARN (or any identifier) with a copy button. */
export function arnLine(label, arn) {
  return h('div', { class: 'arn' }, h('span', { class: 'arn-label' }, label), h('code', { class: 'arn-value' }, arn), copyButton(arn, label));
}

/** A table: columns [{label, render(row) → node|text}], rows. */
export function table(columns, rows, { caption, empty = 'Nothing here yet.' } = {}) {
  const thead = h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c.label))));
  const body = rows.length
    ? rows.map((r) => h('tr', {}, columns.map((c) => h('td', {}, c.render(r)))))
    : [h('tr', {}, h('td', { colspan: columns.length, class: 'empty' }, empty))];
  return h('div', { class: 'table-wrap' }, h('table', {}, caption ? h('caption', {}, caption) : null, thead, h('tbody', {}, body)));
}

export function link(href, text) {
  return h('a', { href }, text);
}

export function button(label, onclick, kind = '', attrs = {}) {
  return h('button', { type: 'button', class: `btn ${kind}`, onclick, ...attrs }, label);
}

/** Tabs with keyboard support (arrow keys, Home, End), as the WAI-ARIA pattern. */
export function tabs(items, selected, onSelect) {
  const list = h('div', { class: 'tabs', role: 'tablist' });
  const panel = h('div', { class: 'tabpanel', role: 'tabpanel', tabindex: '0' });
  const btns = items.map(([key, label]) => {
    const b = h('button', {
      type: 'button', role: 'tab', id: `tab-${key}`, 'aria-selected': key === selected ? 'true' : 'false',
      tabindex: key === selected ? '0' : '-1', onclick: () => onSelect(key),
    }, label);
    b.addEventListener('keydown', (e) => {
      const i = btns.indexOf(b);
      let j = null;
      if (e.key === 'ArrowRight') j = (i + 1) % btns.length;
      if (e.key === 'ArrowLeft') j = (i - 1 + btns.length) % btns.length;
      if (e.key === 'Home') j = 0;
      if (e.key === 'End') j = btns.length - 1;
      if (j !== null) { e.preventDefault(); btns[j].focus(); onSelect(items[j][0]); }
    });
    return b;
  });
  list.append(...btns);
  panel.setAttribute('aria-labelledby', `tab-${selected}`);
  return { el: h('div', {}, list, panel), panel };
}

/** A modal dialog (native <dialog>: focus trapped, Escape closes). Returns {dialog, body, close}. */
export function modal(title, ...content) {
  const titleId = uid('dlg');
  const body = h('div', { class: 'dialog-body' }, content);
  const dialog = h('dialog', { 'aria-labelledby': titleId }, h('h2', { id: titleId }, title), body);
  document.body.append(dialog);
  dialog.addEventListener('close', () => dialog.remove());
  dialog.showModal();
  return { dialog, body, close: () => dialog.close() };
}

/** Asks for confirmation; resolves true when confirmed. `typed` requires typing a word. */
export function confirmDialog(title, message, { confirmLabel = 'Delete', typed } = {}) {
  return new Promise((resolve) => {
    let done = false;
    const input = typed ? h('input', { type: 'text', autocomplete: 'off' }) : null;
    const ok = button(confirmLabel, () => {
      if (typed && input.value !== typed) { input.setAttribute('aria-invalid', 'true'); input.focus(); return; }
      done = true; m.close(); resolve(true);
    }, 'btn-danger');
    const cancel = button('Cancel', () => { m.close(); });
    const m = modal(title, h('p', {}, message),
      typed ? field(`To confirm, type "${typed}"`, input) : null,
      h('div', { class: 'actions' }, cancel, ok));
    m.dialog.addEventListener('close', () => { if (!done) resolve(false); });
    (input || ok).focus();
  });
}

/** Offers bytes as a file download. */
export function download(filename, content, type = 'text/csv') {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = h('a', { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export function fmtDate(s) {
  if (!s) return '';
  const d = new Date(s);
  return isNaN(d) ? s : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function fmtSize(n) {
  n = Number(n);
  if (!isFinite(n)) return '';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${i ? n.toFixed(1) : n} ${units[i]}`;
}

/** A section with a heading (h2) and an optional action bar. */
export function section(title, actions, ...content) {
  const head = h('div', { class: 'section-head' }, h('h2', {}, title), actions ? h('div', { class: 'actions' }, actions) : null);
  return h('section', { class: 'panel' }, head, content);
}

/** A definition list of [term, value] pairs. */
export function details(pairs) {
  return h('dl', { class: 'details' }, pairs.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v ?? '—')]));
}

export function loading() {
  return h('p', { class: 'loading', role: 'status' }, 'Loading…');
}
