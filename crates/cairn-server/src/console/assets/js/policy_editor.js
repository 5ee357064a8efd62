// A JSON policy editor with Access Analyzer's findings shown inline (ValidatePolicy through
// POST /policy/validation, as the signed-in principal), and a viewer that highlights the
// statements a simulation matched.

import { h, clear, uid, errorBox } from './ui.js';
import { validatePolicy } from './api.js';

const ORDER = { ERROR: 0, SECURITY_WARNING: 1, WARNING: 2, SUGGESTION: 3 };
const LABEL = { ERROR: 'Error', SECURITY_WARNING: 'Security warning', WARNING: 'Warning', SUGGESTION: 'Suggestion' };

/**
 * policyEditor({label, value, policyType, resourceType}) → {el, value(), set(v), validate()}.
 * `validate()` resolves to the findings (and shows them); errors block saving in callers.
 */
export function policyEditor({ label, value = '', policyType = 'IDENTITY_POLICY', resourceType, rows = 18 }) {
  const id = uid('policy');
  const summaryId = uid('findings');
  const area = h('textarea', {
    id, class: 'code', rows, spellcheck: 'false', autocomplete: 'off', 'aria-describedby': summaryId,
    'data-testid': 'policy-editor',
  });
  area.value = value;
  const gutter = h('pre', { class: 'gutter', 'aria-hidden': 'true' });
  const syncGutter = () => {
    const n = area.value.split('\n').length;
    gutter.textContent = Array.from({ length: n }, (_, i) => i + 1).join('\n');
    gutter.scrollTop = area.scrollTop;
  };
  area.addEventListener('input', syncGutter);
  area.addEventListener('scroll', () => { gutter.scrollTop = area.scrollTop; });
  area.addEventListener('keydown', (e) => {
    // Tab inserts two spaces; Escape then Tab leaves the editor (keyboard users are not trapped).
    if (e.key === 'Tab' && !e.shiftKey && !area.dataset.escaped) {
      e.preventDefault();
      const { selectionStart: s, selectionEnd: t } = area;
      area.setRangeText('  ', s, t, 'end');
      area.dispatchEvent(new Event('input'));
    }
    if (e.key === 'Escape') area.dataset.escaped = '1';
  });
  area.addEventListener('blur', () => { delete area.dataset.escaped; });
  syncGutter();

  const summary = h('p', { id: summaryId, class: 'findings-summary', 'aria-live': 'polite' }, 'Not validated yet. Escape, then Tab, leaves the editor.');
  const list = h('ol', { class: 'findings', 'data-testid': 'findings' });
  let last = [];
  let timer = null;

  async function validate() {
    clearTimeout(timer);
    summary.textContent = 'Validating…';
    try {
      const findings = await validatePolicy(area.value, policyType, resourceType);
      findings.sort((a, b) => (ORDER[a.findingType] ?? 9) - (ORDER[b.findingType] ?? 9));
      last = findings;
      render(findings);
      return findings;
    } catch (err) {
      clear(list, h('li', {}, errorBox(err)));
      summary.textContent = 'Validation failed.';
      last = [];
      return [];
    }
  }

  function render(findings) {
    const counts = {};
    for (const f of findings) counts[f.findingType] = (counts[f.findingType] || 0) + 1;
    summary.textContent = findings.length
      ? Object.entries(counts).map(([t, n]) => `${n} ${LABEL[t] || t}${n > 1 ? 's' : ''}`.toLowerCase()).join(', ')
      : 'No findings: the policy is valid.';
    clear(list, findings.map((f) => {
      const loc = f.locations?.[0]?.span;
      const where = loc ? `Line ${loc.start.line}, column ${loc.start.column + 1}` : null;
      return h('li', { class: `finding finding-${(f.findingType || '').toLowerCase()}` },
        h('span', { class: 'badge' }, LABEL[f.findingType] || f.findingType), ' ',
        h('strong', {}, f.issueCode), ': ', f.findingDetails, ' ',
        where ? h('button', {
          type: 'button', class: 'btn btn-link', onclick: () => {
            area.focus();
            area.setSelectionRange(loc.start.offset, loc.end.offset);
          },
        }, where) : null,
        f.learnMoreLink ? [' ', h('a', { href: f.learnMoreLink, target: '_blank', rel: 'noopener noreferrer' }, 'Learn more')] : null);
    }));
  }

  area.addEventListener('input', () => {
    clearTimeout(timer);
    summary.textContent = 'Edited: validating shortly…';
    timer = setTimeout(validate, 800);
  });

  const el = h('div', { class: 'policy-editor' },
    h('label', { for: id }, label),
    h('div', { class: 'editor-wrap' }, gutter, area),
    h('div', { class: 'findings-wrap' }, h('h3', {}, 'Policy validation (Access Analyzer)'), summary, list));
  return {
    el,
    value: () => area.value,
    set: (v) => { area.value = v; syncGutter(); },
    validate,
    findings: () => last,
    hasErrors: () => last.some((f) => f.findingType === 'ERROR'),
  };
}

/** Character offsets of a simulator position pair (AWS's columns: see sources.rs). */
export function statementRange(text, start, end) {
  const lines = text.split('\n');
  const offsetOf = (line, col) => {
    let o = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) o += lines[i].length + 1;
    return o + col;
  };
  const s = offsetOf(start.line, Math.max(0, start.column - 2));
  const e = offsetOf(end.line, Math.max(0, end.column - 1));
  return [Math.max(0, Math.min(s, text.length)), Math.max(0, Math.min(e, text.length))];
}

/** A read-only policy text with the given ranges marked. */
export function highlightedPolicy(title, text, ranges) {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const parts = [];
  let at = 0;
  for (const [s, e] of sorted) {
    if (s < at) continue;
    parts.push(text.slice(at, s), h('mark', { class: 'matched' }, text.slice(s, e)));
    at = e;
  }
  parts.push(text.slice(at));
  return h('figure', { class: 'policy-view' }, h('figcaption', {}, title), h('pre', { class: 'code', tabindex: '0' }, parts));
}

/** Pretty-prints JSON text when it parses; leaves it alone otherwise. */
export function pretty(text) {
  try { return JSON.stringify(JSON.parse(text), null, 4); } catch { return text; }
}
