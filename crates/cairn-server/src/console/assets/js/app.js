// The console's shell: sign-in, navigation and a hash router (#/s3, #/iam/users/NAME, …).

import { h, clear, field, alertBox, errorBox, copyButton, button, go, current } from './ui.js';
import { session, loadConfig, passwordSignIn, whoAmI, ApiError } from './api.js';
import { routes as s3Routes } from './s3.js';
import { routes as iamRoutes } from './iam.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');

const routes = [...s3Routes, ...iamRoutes];

function renderNav(active) {
  const item = (href, label) => h('li', {}, h('a', { href, 'aria-current': active.startsWith(href) ? 'page' : null }, label));
  clear(nav,
    h('h2', { class: 'nav-head' }, 'Amazon S3'),
    h('ul', {}, item('#/s3', 'Buckets'), item('#/account', 'Block Public Access (account)')),
    h('h2', { class: 'nav-head' }, 'IAM'),
    h('ul', {},
      item('#/iam/users', 'Users'), item('#/iam/groups', 'User groups'), item('#/iam/roles', 'Roles'),
      item('#/iam/policies', 'Policies'), item('#/iam/simulator', 'Policy simulator'),
      item('#/iam/security', 'My security credentials')));
}

function renderWho() {
  if (!session.identity) { clear(who); return; }
  clear(who,
    h('span', { class: 'who-arn', title: session.identity.arn }, session.identity.arn), ' ',
    copyButton(session.identity.arn, 'your ARN'), ' ',
    button('Sign out', signOut, 'btn-small'));
}

function signOut() {
  session.clear();
  renderWho();
  go('#/signin');
}

async function render() {
  const { segments, params } = current();
  const hash = '#/' + segments.join('/');
  if (!session.creds && segments[0] !== 'signin') { go('#/signin'); return; }
  if (segments[0] === 'signin') {
    document.body.classList.add('signed-out');
    clear(nav);
    signInPage();
    return;
  }
  document.body.classList.remove('signed-out');
  renderNav(hash);
  renderWho();
  const route = routes.find((r) => r.match(segments));
  // Each render fills its own view: a slower, older render finishing late writes into a view
  // that is no longer on the page.
  const view = h('div', { class: 'view' });
  clear(main, view);
  if (!route) {
    view.append(h('h1', { tabindex: '-1' }, 'Not found'), alertBox('info', 'No such page.'));
  } else {
    try {
      await route.render(view, segments, params);
    } catch (err) {
      console.error(err);
      if (err instanceof ApiError && ['ExpiredToken', 'NotSignedIn'].includes(err.code)) { signOut(); return; }
      view.append(errorBox(err));
    }
  }
  if (!view.isConnected) return;
  // Move focus to the page heading so screen readers announce the new page.
  const h1 = view.querySelector('h1');
  if (h1) { h1.setAttribute('tabindex', '-1'); h1.focus({ preventScroll: false }); document.title = `${h1.textContent} — Cairn console`; }
}

function signInPage() {
  const status = h('div', { 'aria-live': 'assertive' });
  let mode = 'password';
  const account = h('input', { type: 'text', inputmode: 'numeric', autocomplete: 'username', name: 'account', required: true, pattern: '[0-9]{12}' });
  const user = h('input', { type: 'text', autocomplete: 'username', name: 'user', required: true });
  const password = h('input', { type: 'password', autocomplete: 'current-password', name: 'password', required: true });
  const newPassword = h('input', { type: 'password', autocomplete: 'new-password', name: 'newPassword' });
  const newPasswordField = field('New password', newPassword, 'Your password must be changed: at least 8 characters, with three of upper case, lower case, numbers and symbols.');
  newPasswordField.hidden = true;
  const keyId = h('input', { type: 'text', autocomplete: 'off', name: 'accessKeyId', spellcheck: 'false' });
  const secret = h('input', { type: 'password', autocomplete: 'off', name: 'secretAccessKey' });
  const token = h('input', { type: 'password', autocomplete: 'off', name: 'sessionToken' });

  const pwFields = h('div', {}, field('Account ID (12 digits)', account), field('IAM user name', user), field('Password', password), newPasswordField);
  const keyFields = h('div', { hidden: true },
    field('Access key ID', keyId, 'The account root user (or any IAM user) signs in with an access key pair.'),
    field('Secret access key', secret), field('Session token (temporary credentials only)', token));
  const switchBtn = h('button', { type: 'button', class: 'btn btn-link' }, 'Sign in with an access key instead');
  switchBtn.addEventListener('click', () => {
    mode = mode === 'password' ? 'keys' : 'password';
    pwFields.hidden = mode !== 'password';
    keyFields.hidden = mode === 'password';
    for (const i of pwFields.querySelectorAll('input')) i.required = mode === 'password' && i !== newPassword;
    switchBtn.textContent = mode === 'password' ? 'Sign in with an access key instead' : 'Sign in with a password instead';
    clear(status);
    (mode === 'password' ? account : keyId).focus();
  });

  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Sign in');
  const form = h('form', { class: 'signin', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'Sign in to Cairn'), status, pwFields, keyFields,
    h('div', { class: 'actions' }, submit, switchBtn));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(status);
    submit.disabled = true;
    try {
      if (mode === 'password') {
        const c = await passwordSignIn(account.value.trim(), user.value.trim(), password.value, newPasswordField.hidden ? null : newPassword.value);
        session.creds = { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, expiration: c.expiration };
      } else {
        session.creds = { accessKeyId: keyId.value.trim(), secretAccessKey: secret.value.trim(), sessionToken: token.value.trim() || undefined };
      }
      session.identity = await whoAmI();
      session.save();
      go('#/s3');
    } catch (err) {
      session.clear();
      if (err.code === 'PasswordResetRequired') {
        newPasswordField.hidden = false;
        newPassword.required = true;
        clear(status, alertBox('warning', err.message));
        newPassword.focus();
      } else {
        clear(status, errorBox(err));
      }
    } finally {
      submit.disabled = false;
    }
  });
  clear(main, form);
  account.focus();
}

window.addEventListener('hashchange', render);
(async () => {
  try { await loadConfig(); } catch { /* keep defaults */ }
  session.load();
  await render();
})();
