// IAM pages: users (groups, policies, access keys, console password), groups, policies and
// their versions, roles and trust policies, the policy simulator, and one's own credentials.

import {
  h, clear, field, checkbox, radios, alertBox, errorBox, attempt, arnLine, table, link, button,
  tabs, modal, confirmDialog, fmtDate, section, details, loading, go, hashOf, download, copyButton,
} from './ui.js';
import { iam, iamList, xtext, xchildren, xall, session } from './api.js';
import { policyEditor, pretty, statementRange, highlightedPolicy } from './policy_editor.js';

const KINDS = {
  users: { kind: 'User', one: 'user', title: 'Users' },
  groups: { kind: 'Group', one: 'group', title: 'User groups' },
  roles: { kind: 'Role', one: 'role', title: 'Roles' },
};

const EMPTY_POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Statement1', Effect: 'Allow', Action: [], Resource: [] }] }, null, 4);

/** Seed 002's trust policy: a web-identity provider (Google here) and the subject it admits. */
const TRUST_TEMPLATES = {
  'Web identity (accounts.google.com)': {
    Version: '2012-10-17',
    Statement: [{
      Effect: 'Allow',
      Action: ['sts:AssumeRoleWithWebIdentity'],
      Principal: { Federated: 'accounts.google.com' },
      Condition: { StringEquals: { 'accounts.google.com:sub': '<some_service_account_identifier>' } },
    }],
  },
  'AWS account (this account)': () => ({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: `arn:aws:iam::${session.identity.account}:root` }, Condition: {} }],
  }),
  'Custom trust policy': {
    Version: '2012-10-17',
    Statement: [{ Sid: 'Statement1', Effect: 'Allow', Principal: {}, Action: 'sts:AssumeRole' }],
  },
};
const template = (k) => JSON.stringify(typeof TRUST_TEMPLATES[k] === 'function' ? TRUST_TEMPLATES[k]() : TRUST_TEMPLATES[k], null, 4);

const decodeDoc = (s) => (s ? pretty(decodeURIComponent(s)) : '');
const members = (doc, tag) => xchildren(doc.getElementsByTagName(tag)[0], 'member');

// ------------------------------------------------------------------ lists

async function entityList(main, segments) {
  const k = KINDS[segments[1]];
  const slot = h('div');
  main.append(h('div', { class: 'page-head' }, h('h1', {}, k.title),
    h('div', { class: 'actions' }, h('a', { class: 'btn btn-primary', href: `#/iam/${segments[1]}/create` }, `Create ${k.one}`))), slot);
  const listTag = { User: 'Users', Group: 'Groups', Role: 'Roles' }[k.kind];
  const items = await attempt(slot, () => iamList(`List${listTag}`, {}, listTag));
  if (!items) return;
  const nameTag = `${k.kind}Name`;
  main.append(table([
    { label: `${k.kind} name`, render: (m) => link(hashOf(['iam', segments[1], xtext(m, nameTag)]), xtext(m, nameTag)) },
    { label: 'Path', render: (m) => xtext(m, 'Path') },
    { label: 'ARN', render: (m) => h('code', {}, xtext(m, 'Arn')) },
    { label: 'Creation time', render: (m) => fmtDate(xtext(m, 'CreateDate')) },
  ], items, { caption: `${k.title} (${items.length})`, empty: `No ${k.one}s yet.` }));
}

// ------------------------------------------------------------------ policy pickers

/** Checkboxes over the account's and AWS's managed policies, with a filter box. */
async function policyPicker(slot) {
  const filter = h('input', { type: 'search', 'aria-label': 'Filter policies by name', placeholder: 'Filter policies' });
  const listEl = h('div', { class: 'picker', role: 'group', 'aria-label': 'Managed policies' });
  const chosen = new Set();
  const policies = (await attempt(slot, () => iamList('ListPolicies', { Scope: 'All' }, 'Policies'))) || [];
  const items = policies.map((p) => {
    const arn = xtext(p, 'Arn');
    const c = checkbox(`${xtext(p, 'PolicyName')}${arn.startsWith('arn:aws:iam::aws:') ? ' (AWS managed)' : ' (customer managed)'}`, false, { value: arn });
    c.input.addEventListener('change', () => (c.input.checked ? chosen.add(arn) : chosen.delete(arn)));
    return { name: xtext(p, 'PolicyName').toLowerCase(), el: c.el, customer: !arn.startsWith('arn:aws:iam::aws:') };
  });
  // Customer-managed first, as they are what a guide just created.
  items.sort((a, b) => (b.customer - a.customer) || a.name.localeCompare(b.name));
  listEl.append(...items.map((i) => i.el));
  filter.addEventListener('input', () => {
    const q = filter.value.toLowerCase();
    for (const i of items) i.el.hidden = !i.name.includes(q);
  });
  return { el: h('div', {}, filter, listEl), chosen };
}

async function groupPicker(slot) {
  const groups = (await attempt(slot, () => iamList('ListGroups', {}, 'Groups'))) || [];
  const chosen = new Set();
  const el = h('div', { class: 'picker', role: 'group', 'aria-label': 'User groups' }, groups.length ? groups.map((g) => {
    const name = xtext(g, 'GroupName');
    const c = checkbox(name, false, { value: name });
    c.input.addEventListener('change', () => (c.input.checked ? chosen.add(name) : chosen.delete(name)));
    return c.el;
  }) : h('p', {}, 'No groups yet.'));
  return { el, chosen };
}

// ------------------------------------------------------------------ create user / group / role

async function createUser(main) {
  const status = h('div', { 'aria-live': 'polite' });
  main.append(h('h1', {}, 'Create user'), status);
  const name = h('input', { type: 'text', required: true, maxlength: 64, autocomplete: 'off', name: 'userName' });
  const consoleAccess = checkbox('Provide user access to the Cairn console', false);
  const password = h('input', { type: 'password', autocomplete: 'new-password', name: 'password' });
  const reset = checkbox('Users must create a new password at next sign-in', true);
  const pwBox = h('div', { hidden: true }, field('Console password', password, 'At least 8 characters, with three of upper case, lower case, numbers and symbols.'), reset.el);
  consoleAccess.input.addEventListener('change', () => { pwBox.hidden = !consoleAccess.input.checked; password.required = consoleAccess.input.checked; });
  const mode = radios('Permissions options', 'perm-mode', [
    ['none', 'No permissions now', 'a bucket policy can still name the user\'s ARN'],
    ['groups', 'Add user to group'],
    ['policies', 'Attach policies directly'],
  ], 'none');
  const groups = await groupPicker(status);
  const policies = await policyPicker(status);
  const groupsBox = h('div', { hidden: true }, groups.el);
  const policiesBox = h('div', { hidden: true }, policies.el);
  for (const i of mode.inputs) {
    i.addEventListener('change', () => { groupsBox.hidden = mode.value() !== 'groups'; policiesBox.hidden = mode.value() !== 'policies'; });
  }
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Create user');
  const form = h('form', { class: 'form' },
    section('User details', null, field('User name', name, 'Up to 64 letters, digits and +=,.@_-'), consoleAccess.el, pwBox),
    section('Set permissions', null, mode.el, groupsBox, policiesBox),
    h('div', { class: 'actions' }, h('a', { class: 'btn', href: '#/iam/users' }, 'Cancel'), submit));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    submit.disabled = true;
    const user = name.value.trim();
    const ok = await attempt(status, async () => {
      await iam('CreateUser', { UserName: user });
      if (mode.value() === 'groups') for (const g of groups.chosen) await iam('AddUserToGroup', { UserName: user, GroupName: g });
      if (mode.value() === 'policies') for (const arn of policies.chosen) await iam('AttachUserPolicy', { UserName: user, PolicyArn: arn });
      if (consoleAccess.input.checked) await iam('CreateLoginProfile', { UserName: user, Password: password.value, PasswordResetRequired: reset.input.checked });
      return true;
    });
    submit.disabled = false;
    if (ok) go(hashOf(['iam', 'users', user], { created: '1' }));
  });
  main.append(form);
}

async function createGroup(main) {
  const status = h('div', { 'aria-live': 'polite' });
  main.append(h('h1', {}, 'Create user group'), status);
  const name = h('input', { type: 'text', required: true, maxlength: 128, autocomplete: 'off', name: 'groupName' });
  const policies = await policyPicker(status);
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Create user group');
  const form = h('form', { class: 'form' },
    section('Name the group', null, field('User group name', name)),
    section('Attach permissions policies', null, policies.el),
    h('div', { class: 'actions' }, h('a', { class: 'btn', href: '#/iam/groups' }, 'Cancel'), submit));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const group = name.value.trim();
    const ok = await attempt(status, async () => {
      await iam('CreateGroup', { GroupName: group });
      for (const arn of policies.chosen) await iam('AttachGroupPolicy', { GroupName: group, PolicyArn: arn });
      return true;
    });
    if (ok) go(hashOf(['iam', 'groups', group]));
  });
  main.append(form);
}

async function createRole(main) {
  const status = h('div', { 'aria-live': 'polite' });
  main.append(h('h1', {}, 'Create role'), status);
  const kind = h('select', { name: 'template' }, Object.keys(TRUST_TEMPLATES).map((k) => h('option', { value: k }, k)));
  const editor = policyEditor({ label: 'Trust policy', value: template(kind.value), policyType: 'RESOURCE_POLICY', resourceType: 'AWS::IAM::AssumeRolePolicyDocument' });
  kind.addEventListener('change', () => { editor.set(template(kind.value)); editor.validate(); });
  const policies = await policyPicker(status);
  const name = h('input', { type: 'text', required: true, maxlength: 64, autocomplete: 'off', name: 'roleName' });
  const description = h('input', { type: 'text', maxlength: 1000, name: 'description' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Create role');
  const form = h('form', { class: 'form' },
    section('Select trusted entity', null, field('Trusted entity type', kind, 'Web identity: the provider\'s users assume the role with an ID token (AssumeRoleWithWebIdentity).'), editor.el),
    section('Add permissions', null, policies.el),
    section('Name, review, and create', null, field('Role name', name), field('Description', description)),
    h('div', { class: 'actions' }, h('a', { class: 'btn', href: '#/iam/roles' }, 'Cancel'), submit));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const role = name.value.trim();
    const ok = await attempt(status, async () => {
      await iam('CreateRole', { RoleName: role, AssumeRolePolicyDocument: editor.value(), Description: description.value || undefined });
      for (const arn of policies.chosen) await iam('AttachRolePolicy', { RoleName: role, PolicyArn: arn });
      return true;
    });
    if (ok) go(hashOf(['iam', 'roles', role], { created: '1' }));
  });
  main.append(form);
  editor.validate();
}

// ------------------------------------------------------------------ shared entity sections

async function attachedSection(slot, k, name) {
  const err = h('div');
  const body = h('div');
  const add = button('Add permissions', () => addPolicies(), 'btn-primary', { 'aria-label': 'Attach managed policies' });
  clear(slot, section('Permissions policies (attached)', add, err, body));
  async function show() {
    const attached = await attempt(err, () => iamList(`ListAttached${k.kind}Policies`, { [`${k.kind}Name`]: name }, 'AttachedPolicies'));
    if (!attached) return;
    clear(body, table([
      { label: 'Policy name', render: (p) => link(hashOf(['iam', 'policies', xtext(p, 'PolicyArn')]), xtext(p, 'PolicyName')) },
      { label: 'Type', render: (p) => (xtext(p, 'PolicyArn').startsWith('arn:aws:iam::aws:') ? 'AWS managed' : 'Customer managed') },
      { label: 'Actions', render: (p) => button('Detach', async () => {
        if (!await confirmDialog(`Detach ${xtext(p, 'PolicyName')}?`, `It stops granting permissions to ${name}.`, { confirmLabel: 'Detach' })) return;
        if (await attempt(err, () => iam(`Detach${k.kind}Policy`, { [`${k.kind}Name`]: name, PolicyArn: xtext(p, 'PolicyArn') }))) await show();
      }, 'btn-small', { 'aria-label': `Detach ${xtext(p, 'PolicyName')}` }) },
    ], attached, { empty: 'No managed policies attached.' }));
  }
  async function addPolicies() {
    const mstatus = h('div');
    const picker = await policyPicker(mstatus);
    const m = modal(`Attach policies to ${name}`, mstatus, picker.el, h('div', { class: 'actions' },
      button('Cancel', () => m.close()),
      button('Add permissions', async () => {
        const ok = await attempt(mstatus, async () => {
          for (const arn of picker.chosen) await iam(`Attach${k.kind}Policy`, { [`${k.kind}Name`]: name, PolicyArn: arn });
          return true;
        });
        if (ok) { m.close(); await show(); }
      }, 'btn-primary')));
  }
  await show();
}

async function inlineSection(slot, k, segment, name) {
  const err = h('div');
  const body = h('div');
  const create = h('a', { class: 'btn', href: hashOf(['iam', segment, name, 'inline']) }, 'Create inline policy');
  clear(slot, section('Permissions policies (inline)', create, err, body));
  const names = await attempt(err, () => iamList(`List${k.kind}Policies`, { [`${k.kind}Name`]: name }, 'PolicyNames'));
  if (!names) return;
  clear(body, table([
    { label: 'Policy name', render: (m) => link(hashOf(['iam', segment, name, 'inline'], { policy: m.textContent }), m.textContent) },
    { label: 'Actions', render: (m) => button('Delete', async () => {
      if (!await confirmDialog(`Delete inline policy ${m.textContent}?`, 'This cannot be undone.')) return;
      if (await attempt(err, () => iam(`Delete${k.kind}Policy`, { [`${k.kind}Name`]: name, PolicyName: m.textContent }))) await inlineSection(slot, k, segment, name);
    }, 'btn-small btn-danger', { 'aria-label': `Delete inline policy ${m.textContent}` }) },
  ], names, { empty: 'No inline policies.' }));
}

/** #/iam/{users|groups|roles}/NAME/inline[?policy=P]: write or edit an inline policy. */
async function inlineEditor(main, segments, params) {
  const segment = segments[1];
  const k = KINDS[segment];
  const name = segments[2];
  const existing = params.get('policy');
  const status = h('div', { 'aria-live': 'polite' });
  main.append(h('h1', {}, existing ? `Edit ${existing}` : `Create inline policy for ${name}`), status);
  let doc = EMPTY_POLICY;
  if (existing) {
    const r = await attempt(status, () => iam(`Get${k.kind}Policy`, { [`${k.kind}Name`]: name, PolicyName: existing }));
    if (!r) return;
    doc = decodeDoc(xtext(r, 'PolicyDocument'));
  }
  const editor = policyEditor({ label: 'Policy editor (JSON)', value: doc });
  const policyName = h('input', { type: 'text', required: true, value: existing || '', readonly: !!existing, name: 'policyName' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, existing ? 'Save changes' : 'Create policy');
  const form = h('form', { class: 'form' }, editor.el, field('Policy name', policyName),
    h('div', { class: 'actions' }, h('a', { class: 'btn', href: hashOf(['iam', segment, name]) }, 'Cancel'), submit));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const ok = await attempt(status, () => iam(`Put${k.kind}Policy`, { [`${k.kind}Name`]: name, PolicyName: policyName.value.trim(), PolicyDocument: editor.value() }));
    if (ok) go(hashOf(['iam', segment, name], { tab: 'permissions' }));
  });
  main.append(form);
  editor.validate();
}

// ------------------------------------------------------------------ user detail

async function userDetail(main, segments, params) {
  const name = segments[2];
  const tab = params.get('tab') || 'permissions';
  const err = h('div');
  main.append(h('div', { class: 'page-head' }, h('h1', {}, name),
    h('div', { class: 'actions' }, button('Delete', () => deleteUser(name, err), 'btn-danger', { 'aria-label': `Delete user ${name}` }))), err);
  if (params.get('created')) main.append(alertBox('success', `User ${name} created.`));
  const doc = await attempt(err, () => iam('GetUser', { UserName: name }));
  if (!doc) return;
  main.append(section('Summary', null, arnLine('ARN', xtext(doc, 'Arn')), details([['Created', fmtDate(xtext(doc, 'CreateDate'))], ['User ID', xtext(doc, 'UserId')]])));
  const t = tabs([['permissions', 'Permissions'], ['groups', 'Groups'], ['credentials', 'Security credentials']], tab,
    (key) => go(hashOf(['iam', 'users', name], { tab: key })));
  main.append(t.el);
  const slots = [h('div'), h('div'), h('div')];
  t.panel.append(...slots);
  if (tab === 'permissions') {
    await attachedSection(slots[0], KINDS.users, name);
    await inlineSection(slots[1], KINDS.users, 'users', name);
  } else if (tab === 'groups') {
    await userGroupsSection(slots[0], name);
  } else {
    await passwordSection(slots[0], name);
    await accessKeysSection(slots[1], name);
  }
}

async function deleteUser(name, err) {
  if (!await confirmDialog(`Delete ${name}?`, 'Its access keys, console password, policies and group memberships are removed first. This cannot be undone.', { typed: name })) return;
  const ok = await attempt(err, async () => {
    for (const key of await iamList('ListAccessKeys', { UserName: name }, 'AccessKeyMetadata')) await iam('DeleteAccessKey', { UserName: name, AccessKeyId: xtext(key, 'AccessKeyId') });
    try { await iam('DeleteLoginProfile', { UserName: name }); } catch (e) { if (e.code !== 'NoSuchEntity') throw e; }
    for (const p of await iamList('ListAttachedUserPolicies', { UserName: name }, 'AttachedPolicies')) await iam('DetachUserPolicy', { UserName: name, PolicyArn: xtext(p, 'PolicyArn') });
    for (const p of await iamList('ListUserPolicies', { UserName: name }, 'PolicyNames')) await iam('DeleteUserPolicy', { UserName: name, PolicyName: p.textContent });
    for (const g of await iamList('ListGroupsForUser', { UserName: name }, 'Groups')) await iam('RemoveUserFromGroup', { UserName: name, GroupName: xtext(g, 'GroupName') });
    await iam('DeleteUser', { UserName: name });
    return true;
  });
  if (ok) go('#/iam/users');
}

async function userGroupsSection(slot, name) {
  const err = h('div');
  const body = h('div');
  const add = button('Add user to groups', async () => {
    const mstatus = h('div');
    const picker = await groupPicker(mstatus);
    const m = modal(`Add ${name} to groups`, mstatus, picker.el, h('div', { class: 'actions' }, button('Cancel', () => m.close()),
      button('Add to groups', async () => {
        const ok = await attempt(mstatus, async () => { for (const g of picker.chosen) await iam('AddUserToGroup', { UserName: name, GroupName: g }); return true; });
        if (ok) { m.close(); await userGroupsSection(slot, name); }
      }, 'btn-primary')));
  }, 'btn-primary');
  clear(slot, section('User groups membership', add, err, body));
  const groups = await attempt(err, () => iamList('ListGroupsForUser', { UserName: name }, 'Groups'));
  if (!groups) return;
  clear(body, table([
    { label: 'Group name', render: (g) => link(hashOf(['iam', 'groups', xtext(g, 'GroupName')]), xtext(g, 'GroupName')) },
    { label: 'Actions', render: (g) => button('Remove', async () => {
      if (await attempt(err, () => iam('RemoveUserFromGroup', { UserName: name, GroupName: xtext(g, 'GroupName') }))) await userGroupsSection(slot, name);
    }, 'btn-small', { 'aria-label': `Remove from ${xtext(g, 'GroupName')}` }) },
  ], groups, { empty: 'Not in any group.' }));
}

async function passwordSection(slot, name) {
  const err = h('div');
  const body = h('div');
  clear(slot, section('Console sign-in', null, err, body));
  let profile;
  try {
    profile = await iam('GetLoginProfile', { UserName: name });
  } catch (e) {
    if (e.code !== 'NoSuchEntity') { clear(err, errorBox(e)); return; }
  }
  const signInInfo = details([['Console sign-in link', h('span', {}, h('code', {}, `${location.origin}/_console/`), ' ', copyButton(`${location.origin}/_console/`, 'sign-in link'))],
    ['Account ID', session.identity.account], ['Console password', profile ? `Enabled (created ${fmtDate(xtext(profile, 'CreateDate'))})` : 'Not enabled']]);
  const manage = button(profile ? 'Manage console access' : 'Enable console access', () => {
    const password = h('input', { type: 'password', autocomplete: 'new-password' });
    const reset = checkbox('User must create a new password at next sign-in', true);
    const mstatus = h('div');
    const m = modal(`Console access for ${name}`, mstatus, field('New password', password, 'At least 8 characters, with three of upper case, lower case, numbers and symbols.'), reset.el,
      h('div', { class: 'actions' },
        button('Cancel', () => m.close()),
        profile ? button('Disable console access', async () => {
          if (await attempt(mstatus, () => iam('DeleteLoginProfile', { UserName: name }))) { m.close(); await passwordSection(slot, name); }
        }, 'btn-danger') : null,
        button('Apply', async () => {
          const action = profile ? 'UpdateLoginProfile' : 'CreateLoginProfile';
          if (await attempt(mstatus, () => iam(action, { UserName: name, Password: password.value, PasswordResetRequired: reset.input.checked }))) { m.close(); await passwordSection(slot, name); }
        }, 'btn-primary')));
    password.focus();
  });
  clear(body, signInInfo, manage);
}

/** AWS's "Download .csv file": `Access key ID,Secret access key` (UTF-8 with BOM, CRLF). */
export function accessKeyCsv(id, secret) {
  return `\ufeffAccess key ID,Secret access key\r\n${id},${secret}\r\n`;
}

function showNewKey(user, doc) {
  const id = xtext(doc, 'AccessKeyId');
  const secret = xtext(doc, 'SecretAccessKey');
  const secretEl = h('code', { 'data-testid': 'secret-access-key' }, '•'.repeat(16));
  let shown = false;
  const toggle = button('Show', () => {
    shown = !shown;
    secretEl.textContent = shown ? secret : '•'.repeat(16);
    toggle.textContent = shown ? 'Hide' : 'Show';
  }, 'btn-small', { 'aria-label': 'Show secret access key' });
  const m = modal('Retrieve access keys',
    alertBox('warning', 'This is the only time the secret access key can be viewed or downloaded. You cannot recover it later; you can create a new access key at any time.'),
    details([
      ['Access key', h('span', {}, h('code', { 'data-testid': 'access-key-id' }, id), ' ', copyButton(id, 'access key ID'))],
      ['Secret access key', h('span', {}, secretEl, ' ', toggle, ' ', copyButton(secret, 'secret access key'))],
    ]),
    h('div', { class: 'actions' },
      button('Download .csv file', () => download(`${user}_accessKeys.csv`, accessKeyCsv(id, secret)), 'btn'),
      button('Done', () => m.close(), 'btn-primary')));
  return m;
}

async function accessKeysSection(slot, name, { self = false } = {}) {
  const err = h('div');
  const body = h('div');
  const params = self ? {} : { UserName: name };
  const create = button('Create access key', async () => {
    const doc = await attempt(err, () => iam('CreateAccessKey', params));
    if (!doc) return;
    const m = showNewKey(name, doc);
    m.dialog.addEventListener('close', () => accessKeysSection(slot, name, { self }));
  }, 'btn-primary');
  clear(slot, section('Access keys', create, h('p', {}, 'Use access keys to send programmatic calls (AWS CLI, SDKs) to Cairn. A user can have two.'), err, body));
  const keys = await attempt(err, () => iamList('ListAccessKeys', params, 'AccessKeyMetadata'));
  if (!keys) return;
  clear(body, table([
    { label: 'Access key ID', render: (k) => h('code', {}, xtext(k, 'AccessKeyId')) },
    { label: 'Status', render: (k) => xtext(k, 'Status') },
    { label: 'Created', render: (k) => fmtDate(xtext(k, 'CreateDate')) },
    { label: 'Actions', render: (k) => {
      const id = xtext(k, 'AccessKeyId');
      const active = xtext(k, 'Status') === 'Active';
      return h('div', { class: 'row-actions' },
        button(active ? 'Deactivate' : 'Activate', async () => {
          if (await attempt(err, () => iam('UpdateAccessKey', { ...params, AccessKeyId: id, Status: active ? 'Inactive' : 'Active' }))) await accessKeysSection(slot, name, { self });
        }, 'btn-small', { 'aria-label': `${active ? 'Deactivate' : 'Activate'} ${id}` }),
        button('Delete', async () => {
          if (!await confirmDialog(`Delete access key ${id}?`, active ? 'The key is active: deactivate it first to see if anything still uses it. Delete anyway?' : 'Requests signed with it will fail.', { typed: id })) return;
          if (await attempt(err, () => iam('DeleteAccessKey', { ...params, AccessKeyId: id }))) await accessKeysSection(slot, name, { self });
        }, 'btn-small btn-danger', { 'aria-label': `Delete ${id}` }));
    } },
  ], keys, { empty: 'No access keys.' }));
}

// ------------------------------------------------------------------ group detail

async function groupDetail(main, segments) {
  const name = segments[2];
  const err = h('div');
  main.append(h('div', { class: 'page-head' }, h('h1', {}, name),
    h('div', { class: 'actions' }, button('Delete', async () => {
      if (!await confirmDialog(`Delete group ${name}?`, 'Members are removed and policies detached first.', { typed: name })) return;
      const ok = await attempt(err, async () => {
        const g = await iam('GetGroup', { GroupName: name });
        for (const u of members(g, 'Users')) await iam('RemoveUserFromGroup', { GroupName: name, UserName: xtext(u, 'UserName') });
        for (const p of await iamList('ListAttachedGroupPolicies', { GroupName: name }, 'AttachedPolicies')) await iam('DetachGroupPolicy', { GroupName: name, PolicyArn: xtext(p, 'PolicyArn') });
        for (const p of await iamList('ListGroupPolicies', { GroupName: name }, 'PolicyNames')) await iam('DeleteGroupPolicy', { GroupName: name, PolicyName: p.textContent });
        await iam('DeleteGroup', { GroupName: name });
        return true;
      });
      if (ok) go('#/iam/groups');
    }, 'btn-danger'))), err);
  const doc = await attempt(err, () => iam('GetGroup', { GroupName: name }));
  if (!doc) return;
  const group = doc.getElementsByTagName('Group')[0];
  main.append(section('Summary', null, arnLine('ARN', xtext(group, 'Arn')), details([['Created', fmtDate(xtext(group, 'CreateDate'))]])));
  const users = members(doc, 'Users');
  main.append(section('Users in this group', null, table([
    { label: 'User name', render: (u) => link(hashOf(['iam', 'users', xtext(u, 'UserName')]), xtext(u, 'UserName')) },
  ], users, { empty: 'No users in this group. Add users from their Groups tab.' })));
  const a = h('div');
  const b = h('div');
  main.append(a, b);
  await attachedSection(a, KINDS.groups, name);
  await inlineSection(b, KINDS.groups, 'groups', name);
}

// ------------------------------------------------------------------ role detail

async function roleDetail(main, segments, params) {
  const name = segments[2];
  const err = h('div');
  main.append(h('div', { class: 'page-head' }, h('h1', {}, name),
    h('div', { class: 'actions' }, button('Delete', async () => {
      if (!await confirmDialog(`Delete role ${name}?`, 'Its policies are detached and deleted first; sessions of it stop working.', { typed: name })) return;
      const ok = await attempt(err, async () => {
        for (const p of await iamList('ListAttachedRolePolicies', { RoleName: name }, 'AttachedPolicies')) await iam('DetachRolePolicy', { RoleName: name, PolicyArn: xtext(p, 'PolicyArn') });
        for (const p of await iamList('ListRolePolicies', { RoleName: name }, 'PolicyNames')) await iam('DeleteRolePolicy', { RoleName: name, PolicyName: p.textContent });
        await iam('DeleteRole', { RoleName: name });
        return true;
      });
      if (ok) go('#/iam/roles');
    }, 'btn-danger'))), err);
  if (params.get('created')) main.append(alertBox('success', `Role ${name} created.`));
  const doc = await attempt(err, () => iam('GetRole', { RoleName: name }));
  if (!doc) return;
  main.append(section('Summary', null, arnLine('ARN', xtext(doc, 'Arn')),
    details([['Created', fmtDate(xtext(doc, 'CreateDate'))], ['Description', xtext(doc, 'Description')], ['Maximum session duration', `${Number(xtext(doc, 'MaxSessionDuration') || 3600) / 3600} hour(s)`]])));
  const tab = params.get('tab') || 'permissions';
  const t = tabs([['permissions', 'Permissions'], ['trust', 'Trust relationships']], tab, (key) => go(hashOf(['iam', 'roles', name], { tab: key })));
  main.append(t.el);
  if (tab === 'trust') {
    const status = h('div', { 'aria-live': 'polite' });
    const editor = policyEditor({ label: 'Trusted entities (trust policy)', value: decodeDoc(xtext(doc, 'AssumeRolePolicyDocument')), policyType: 'RESOURCE_POLICY', resourceType: 'AWS::IAM::AssumeRolePolicyDocument' });
    t.panel.append(section('Trust policy', null, status, editor.el, h('div', { class: 'actions' }, button('Update policy', async () => {
      if (await attempt(status, () => iam('UpdateAssumeRolePolicy', { RoleName: name, PolicyDocument: editor.value() }))) clear(status, alertBox('success', 'Trust policy updated.'));
    }, 'btn-primary'))));
    editor.validate();
  } else {
    const a = h('div');
    const b = h('div');
    t.panel.append(a, b);
    await attachedSection(a, KINDS.roles, name);
    await inlineSection(b, KINDS.roles, 'roles', name);
  }
}

// ------------------------------------------------------------------ managed policies

async function policyList(main, segments, params) {
  const scope = params.get('scope') || 'Local';
  const slot = h('div');
  const sel = h('select', { 'aria-label': 'Policy type' }, [['Local', 'Customer managed'], ['AWS', 'AWS managed'], ['All', 'All types']].map(([v, l]) => h('option', { value: v, selected: v === scope }, l)));
  sel.addEventListener('change', () => go(hashOf(['iam', 'policies'], { scope: sel.value })));
  main.append(h('div', { class: 'page-head' }, h('h1', {}, 'Policies'),
    h('div', { class: 'actions' }, field('Filter by type', sel), h('a', { class: 'btn btn-primary', href: '#/iam/policies/create' }, 'Create policy'))), slot);
  const items = await attempt(slot, () => iamList('ListPolicies', { Scope: scope }, 'Policies'));
  if (!items) return;
  main.append(table([
    { label: 'Policy name', render: (p) => link(hashOf(['iam', 'policies', xtext(p, 'Arn')]), xtext(p, 'PolicyName')) },
    { label: 'Type', render: (p) => (xtext(p, 'Arn').startsWith('arn:aws:iam::aws:') ? 'AWS managed' : 'Customer managed') },
    { label: 'Attached entities', render: (p) => xtext(p, 'AttachmentCount') },
    { label: 'Description', render: (p) => xtext(p, 'Description') || '' },
  ], items, { caption: `Policies (${items.length})`, empty: 'No policies.' }));
}

async function createPolicy(main) {
  const status = h('div', { 'aria-live': 'polite' });
  main.append(h('h1', {}, 'Create policy'), status);
  const editor = policyEditor({ label: 'Policy editor (JSON)', value: EMPTY_POLICY });
  const name = h('input', { type: 'text', required: true, maxlength: 128, autocomplete: 'off', name: 'policyName' });
  const description = h('input', { type: 'text', maxlength: 1000, name: 'description' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Create policy');
  const form = h('form', { class: 'form' },
    section('Specify permissions', null, editor.el),
    section('Policy details', null, field('Policy name', name), field('Description - optional', description)),
    h('div', { class: 'actions' }, h('a', { class: 'btn', href: '#/iam/policies' }, 'Cancel'), submit));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const doc = await attempt(status, () => iam('CreatePolicy', { PolicyName: name.value.trim(), PolicyDocument: editor.value(), Description: description.value || undefined }));
    if (doc) go(hashOf(['iam', 'policies', xtext(doc, 'Arn')], { created: '1' }));
  });
  main.append(form);
  editor.validate();
}

async function policyDetail(main, segments, params) {
  const arn = segments.slice(2).join('/');
  const err = h('div');
  const aws = arn.startsWith('arn:aws:iam::aws:');
  main.append(h('div', { class: 'page-head' }, h('h1', {}, arn.split('/').pop()),
    aws ? null : h('div', { class: 'actions' }, button('Delete', async () => {
      if (!await confirmDialog(`Delete policy ${arn.split('/').pop()}?`, 'It must be detached from every user, group and role first; its other versions are deleted with it.', { typed: arn.split('/').pop() })) return;
      const ok = await attempt(err, async () => {
        for (const v of await iamList('ListPolicyVersions', { PolicyArn: arn }, 'Versions')) {
          if (xtext(v, 'IsDefaultVersion') !== 'true') await iam('DeletePolicyVersion', { PolicyArn: arn, VersionId: xtext(v, 'VersionId') });
        }
        await iam('DeletePolicy', { PolicyArn: arn });
        return true;
      });
      if (ok) go('#/iam/policies');
    }, 'btn-danger'))), err);
  if (params.get('created')) main.append(alertBox('success', 'Policy created.'));
  const doc = await attempt(err, () => iam('GetPolicy', { PolicyArn: arn }));
  if (!doc) return;
  const defaultVersion = xtext(doc, 'DefaultVersionId');
  main.append(section('Policy details', null, arnLine('ARN', arn), details([
    ['Type', aws ? 'AWS managed' : 'Customer managed'], ['Created', fmtDate(xtext(doc, 'CreateDate'))],
    ['Description', xtext(doc, 'Description')], ['Attached entities', xtext(doc, 'AttachmentCount')], ['Default version', defaultVersion]])));
  const shown = params.get('version') || defaultVersion;
  const v = await attempt(err, () => iam('GetPolicyVersion', { PolicyArn: arn, VersionId: shown }));
  const status = h('div', { 'aria-live': 'polite' });
  const editor = policyEditor({ label: `Permissions (version ${shown})`, value: v ? decodeDoc(xtext(v, 'Document')) : '' });
  const setDefault = checkbox('Set as the default version', true);
  main.append(section('Permissions defined in this policy', null, status, editor.el,
    aws ? null : h('div', { class: 'actions' }, setDefault.el, button('Save as new version', async () => {
      const r = await attempt(status, () => iam('CreatePolicyVersion', { PolicyArn: arn, PolicyDocument: editor.value(), SetAsDefault: setDefault.input.checked }));
      if (r) go(hashOf(['iam', 'policies', arn], { version: xtext(r, 'VersionId') }));
    }, 'btn-primary'))));
  editor.validate();
  const versions = await attempt(err, () => iamList('ListPolicyVersions', { PolicyArn: arn }, 'Versions'));
  if (!versions) return;
  main.append(section('Policy versions', null, table([
    { label: 'Version', render: (x) => link(hashOf(['iam', 'policies', arn], { version: xtext(x, 'VersionId') }), xtext(x, 'VersionId') + (xtext(x, 'IsDefaultVersion') === 'true' ? ' (Default)' : '')) },
    { label: 'Created', render: (x) => fmtDate(xtext(x, 'CreateDate')) },
    { label: 'Actions', render: (x) => (aws || xtext(x, 'IsDefaultVersion') === 'true' ? '' : h('div', { class: 'row-actions' },
      button('Set as default', async () => {
        if (await attempt(err, () => iam('SetDefaultPolicyVersion', { PolicyArn: arn, VersionId: xtext(x, 'VersionId') }))) go(hashOf(['iam', 'policies', arn]));
      }, 'btn-small', { 'aria-label': `Set ${xtext(x, 'VersionId')} as default` }),
      button('Delete', async () => {
        if (await attempt(err, () => iam('DeletePolicyVersion', { PolicyArn: arn, VersionId: xtext(x, 'VersionId') }))) go(hashOf(['iam', 'policies', arn]));
      }, 'btn-small btn-danger', { 'aria-label': `Delete version ${xtext(x, 'VersionId')}` }))) },
  ], versions)));
}

// ------------------------------------------------------------------ simulator

/** Loads a principal's policy texts keyed by `${SourcePolicyType}:${SourcePolicyId}`. */
async function principalDocuments(kind, name) {
  const docs = new Map();
  const managed = async (arn) => {
    const p = await iam('GetPolicy', { PolicyArn: arn });
    const v = await iam('GetPolicyVersion', { PolicyArn: arn, VersionId: xtext(p, 'DefaultVersionId') });
    docs.set(`${arn.startsWith('arn:aws:iam::aws:') ? 'aws-managed' : 'user-managed'}:${arn.split('/').pop()}`, decodeURIComponent(xtext(v, 'Document')));
  };
  const inline = async (k, n, type) => {
    for (const p of await iamList(`List${k}Policies`, { [`${k}Name`]: n }, 'PolicyNames')) {
      const r = await iam(`Get${k}Policy`, { [`${k}Name`]: n, PolicyName: p.textContent });
      docs.set(`${type}:${p.textContent}`, decodeURIComponent(xtext(r, 'PolicyDocument')));
    }
    for (const a of await iamList(`ListAttached${k}Policies`, { [`${k}Name`]: n }, 'AttachedPolicies')) await managed(xtext(a, 'PolicyArn'));
  };
  await inline(kind, name, kind.toLowerCase());
  if (kind === 'User') {
    for (const g of await iamList('ListGroupsForUser', { UserName: name }, 'Groups')) await inline('Group', xtext(g, 'GroupName'), 'group');
  }
  return docs;
}

async function simulator(main) {
  main.append(h('h1', {}, 'IAM policy simulator'),
    h('p', {}, 'Simulates requests against a principal\'s policies (SimulatePrincipalPolicy) or policies you write (SimulateCustomPolicy), with the same evaluation as real requests.'));
  const status = h('div', { 'aria-live': 'polite' });
  const mode = radios('Policies to simulate', 'sim-mode', [['principal', 'A user, group or role of the account'], ['custom', 'Policies written here']], 'principal');
  const principal = h('select', { name: 'principal' });
  const principals = [];
  for (const [k, tag] of [['User', 'Users'], ['Group', 'Groups'], ['Role', 'Roles']]) {
    const list = (await attempt(status, () => iamList(`List${tag}`, {}, tag))) || [];
    for (const m of list) principals.push({ kind: k, name: xtext(m, `${k}Name`), arn: xtext(m, 'Arn') });
  }
  principal.append(...principals.map((p, i) => h('option', { value: String(i) }, `${p.kind}: ${p.name}`)));
  const custom = policyEditor({ label: 'Identity policy', value: EMPTY_POLICY, rows: 12 });
  const principalBox = h('div', {}, field('Principal', principal));
  const customBox = h('div', { hidden: true }, custom.el);
  for (const i of mode.inputs) i.addEventListener('change', () => { principalBox.hidden = mode.value() !== 'principal'; customBox.hidden = mode.value() !== 'custom'; });
  const actions = h('input', { type: 'text', required: true, name: 'actions', spellcheck: 'false', placeholder: 's3:GetObject, s3:PutObject' });
  const resources = h('input', { type: 'text', name: 'resources', spellcheck: 'false', placeholder: 'arn:aws:s3:::bucket/key (empty: *)' });
  const context = h('textarea', { rows: 3, name: 'context', spellcheck: 'false', placeholder: 'aws:SourceIp=192.0.2.1' });
  const resourcePolicy = h('textarea', { rows: 4, class: 'code', name: 'resourcePolicy', spellcheck: 'false' });
  const results = h('div', { class: 'sim-results', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Run simulation');
  const form = h('form', { class: 'form' }, status, mode.el, principalBox, customBox,
    field('Actions (comma-separated)', actions), field('Resource ARNs (comma-separated)', resources),
    field('Context keys (one KEY=VALUE per line)', context, 'Values of one key may repeat on several lines.'),
    field('Resource policy (optional, e.g. a bucket policy)', resourcePolicy),
    h('div', { class: 'actions' }, submit), results);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    submit.disabled = true;
    await attempt(status, () => runSimulation());
    submit.disabled = false;
  });
  main.append(form);

  async function runSimulation() {
    const p = {};
    const list = (v) => v.split(',').map((s) => s.trim()).filter(Boolean);
    list(actions.value).forEach((a, i) => { p[`ActionNames.member.${i + 1}`] = a; });
    list(resources.value).forEach((r, i) => { p[`ResourceArns.member.${i + 1}`] = r; });
    const ctx = new Map();
    for (const line of context.value.split('\n').map((l) => l.trim()).filter(Boolean)) {
      const at = line.indexOf('=');
      if (at < 1) throw new Error(`Context entry "${line}" is not KEY=VALUE.`);
      const k = line.slice(0, at).trim();
      if (!ctx.has(k)) ctx.set(k, []);
      ctx.get(k).push(line.slice(at + 1).trim());
    }
    let n = 0;
    for (const [k, vals] of ctx) {
      n += 1;
      p[`ContextEntries.member.${n}.ContextKeyName`] = k;
      p[`ContextEntries.member.${n}.ContextKeyType`] = vals.length > 1 ? 'stringList' : 'string';
      vals.forEach((v, i) => { p[`ContextEntries.member.${n}.ContextKeyValues.member.${i + 1}`] = v; });
    }
    if (resourcePolicy.value.trim()) p.ResourcePolicy = resourcePolicy.value;
    let docs = new Map();
    let doc;
    if (mode.value() === 'principal') {
      const who = principals[Number(principal.value)];
      if (!who) throw new Error('Choose a principal.');
      p.PolicySourceArn = who.arn;
      doc = await iam('SimulatePrincipalPolicy', p);
      docs = await principalDocuments(who.kind, who.name).catch(() => new Map());
    } else {
      p['PolicyInputList.member.1'] = custom.value();
      doc = await iam('SimulateCustomPolicy', p);
      docs.set('none:PolicyInputList.1', custom.value());
    }
    if (resourcePolicy.value.trim()) docs.set('resource:ResourcePolicy', resourcePolicy.value);
    const rows = members(doc, 'EvaluationResults');
    clear(results, h('h2', {}, 'Results'), rows.map((r) => {
      const decision = xtext(r, 'EvalDecision');
      const matched = members(r, 'MatchedStatements');
      const byPolicy = new Map();
      for (const m of matched) {
        const key = `${xtext(m, 'SourcePolicyType')}:${xtext(m, 'SourcePolicyId')}`;
        const start = m.getElementsByTagName('StartPosition')[0];
        const end = m.getElementsByTagName('EndPosition')[0];
        if (!byPolicy.has(key)) byPolicy.set(key, []);
        if (start && end) byPolicy.get(key).push([{ line: Number(xtext(start, 'Line')), column: Number(xtext(start, 'Column')) }, { line: Number(xtext(end, 'Line')), column: Number(xtext(end, 'Column')) }]);
      }
      const missing = members(r, 'MissingContextValues').map((x) => x.textContent);
      return h('article', { class: `sim-result decision-${decision}` },
        h('h3', {}, `${xtext(r, 'EvalActionName')} on ${xtext(r, 'EvalResourceName')}: `, h('span', { class: 'decision' }, decision)),
        matched.length ? h('p', {}, `Matched statements: ${[...byPolicy.keys()].join(', ')}`) : h('p', {}, 'No statement matched.'),
        missing.length ? alertBox('warning', `Missing context values: ${missing.join(', ')}`) : null,
        [...byPolicy].map(([key, positions]) => {
          const text = docs.get(key);
          if (!text) return null;
          return highlightedPolicy(key, text, positions.map(([s, e]) => statementRange(text, s, e)));
        }));
    }));
  }
}

// ------------------------------------------------------------------ my security credentials

async function myCredentials(main) {
  main.append(h('h1', {}, 'My security credentials'), arnLine('Your ARN', session.identity.arn));
  const arn = session.identity.arn;
  const user = arn.includes(':user/') ? arn.split('/').pop() : null;
  if (!user) {
    main.append(alertBox('info', 'You are signed in as the account root user or a role session: these have no console password here. Root access keys are managed with `cairn` on the server.'));
    return;
  }
  const status = h('div', { 'aria-live': 'polite' });
  const old = h('input', { type: 'password', autocomplete: 'current-password', required: true });
  const neu = h('input', { type: 'password', autocomplete: 'new-password', required: true });
  const again = h('input', { type: 'password', autocomplete: 'new-password', required: true });
  const form = h('form', { class: 'form' }, status, field('Current password', old), field('New password', neu), field('Confirm new password', again),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, 'Change password')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (neu.value !== again.value) { clear(status, alertBox('error', 'The new passwords do not match.')); return; }
    if (await attempt(status, () => iam('ChangePassword', { OldPassword: old.value, NewPassword: neu.value }))) {
      form.reset();
      clear(status, alertBox('success', 'Password changed.'));
    }
  });
  main.append(section('Console password', null, form));
  const keys = h('div');
  main.append(keys);
  await accessKeysSection(keys, user, { self: true });
}

export const routes = [
  { match: (s) => s[0] === 'iam' && ['users', 'groups', 'roles'].includes(s[1]) && s.length === 2, render: entityList },
  { match: (s) => s[0] === 'iam' && s[1] === 'users' && s[2] === 'create', render: createUser },
  { match: (s) => s[0] === 'iam' && s[1] === 'groups' && s[2] === 'create', render: createGroup },
  { match: (s) => s[0] === 'iam' && s[1] === 'roles' && s[2] === 'create', render: createRole },
  { match: (s) => s[0] === 'iam' && ['users', 'groups', 'roles'].includes(s[1]) && s[3] === 'inline', render: inlineEditor },
  { match: (s) => s[0] === 'iam' && s[1] === 'users' && s.length === 3, render: userDetail },
  { match: (s) => s[0] === 'iam' && s[1] === 'groups' && s.length === 3, render: groupDetail },
  { match: (s) => s[0] === 'iam' && s[1] === 'roles' && s.length === 3, render: roleDetail },
  { match: (s) => s[0] === 'iam' && s[1] === 'policies' && s.length === 2, render: policyList },
  { match: (s) => s[0] === 'iam' && s[1] === 'policies' && s[2] === 'create', render: createPolicy },
  { match: (s) => s[0] === 'iam' && s[1] === 'policies' && s.length >= 3, render: policyDetail },
  { match: (s) => s[0] === 'iam' && s[1] === 'simulator', render: simulator },
  { match: (s) => s[0] === 'iam' && s[1] === 'security', render: myCredentials },
];
