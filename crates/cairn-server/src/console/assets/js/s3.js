// S3 pages: buckets, creating one with AWS's options, a bucket's objects, properties and
// permissions, and the account's Block Public Access.

import {
  h, clear, field, checkbox, radios, alertBox, errorBox, attempt, arnLine, table, link, button,
  tabs, modal, confirmDialog, fmtDate, fmtSize, section, details, loading, go, hashOf, copyButton,
} from './ui.js';
import { s3, s3Xml, s3Upload, presignGet, accountBpa, parseXml, xtext, xchildren, xall, xmlEscape, session, ApiError } from './api.js';
import { policyEditor, pretty } from './policy_editor.js';

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const bucketArn = (b) => `arn:aws:s3:::${b}`;
const BPA_KEYS = [
  ['BlockPublicAcls', 'Block public access to buckets and objects granted through new access control lists (ACLs)'],
  ['IgnorePublicAcls', 'Block public access to buckets and objects granted through any access control lists (ACLs)'],
  ['BlockPublicPolicy', 'Block public access to buckets and objects granted through new public bucket or access point policies'],
  ['RestrictPublicBuckets', 'Block public and cross-account access to buckets and objects through any public bucket or access point policies'],
];
const REGIONS = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'eu-west-1', 'eu-west-2', 'eu-west-3',
  'eu-central-1', 'eu-north-1', 'eu-south-1', 'ap-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-southeast-1',
  'ap-southeast-2', 'sa-east-1'];

/** Missing configurations answer 404 with these codes: treated as "not set". */
async function optional(fn, ...codes) {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ApiError && codes.includes(err.code)) return null;
    throw err;
  }
}

function bpaXml(values) {
  return `<PublicAccessBlockConfiguration xmlns="${NS}">${BPA_KEYS.map(([k]) => `<${k}>${!!values[k]}</${k}>`).join('')}</PublicAccessBlockConfiguration>`;
}

/** The four BPA checkboxes with a "Block all" master, as AWS's pages have them. */
function bpaControls(values) {
  const all = checkbox('Block all public access', BPA_KEYS.every(([k]) => values[k]));
  const boxes = BPA_KEYS.map(([k, label]) => [k, checkbox(label, values[k], { name: k })]);
  all.input.addEventListener('change', () => { for (const [, b] of boxes) b.input.checked = all.input.checked; });
  for (const [, b] of boxes) {
    b.input.addEventListener('change', () => { all.input.checked = boxes.every(([, x]) => x.input.checked); });
  }
  const el = h('fieldset', { class: 'bpa' }, h('legend', {}, 'Block Public Access settings'), all.el,
    h('div', { class: 'indent' }, boxes.map(([, b]) => b.el)));
  return { el, values: () => Object.fromEntries(boxes.map(([k, b]) => [k, b.input.checked])) };
}

function bpaTable(values) {
  return details([['Block all public access', BPA_KEYS.every(([k]) => values[k]) ? 'On' : 'Off'],
    ...BPA_KEYS.map(([k, label]) => [label, values[k] ? 'On' : 'Off'])]);
}

function readBpa(doc) {
  return Object.fromEntries(BPA_KEYS.map(([k]) => [k, xtext(doc, k) === 'true']));
}

// ------------------------------------------------------------------ bucket list

async function bucketList(main) {
  const slot = h('div');
  main.append(h('div', { class: 'page-head' }, h('h1', {}, 'Buckets'),
    h('div', { class: 'actions' }, h('a', { class: 'btn btn-primary', href: '#/s3/create' }, 'Create bucket'))), slot, loading());
  const doc = await attempt(slot, () => s3Xml({ method: 'GET' }));
  main.querySelector('.loading')?.remove();
  if (!doc) return;
  const buckets = xall(doc, 'Bucket').map((b) => ({ name: xtext(b, 'Name'), created: xtext(b, 'CreationDate'), region: xtext(b, 'BucketRegion') }));
  const regionCell = (b) => {
    const span = h('span', {}, b.region || '…');
    if (!b.region) {
      s3Xml({ bucket: b.name, sub: 'location' })
        .then((d) => { span.textContent = xtext(d, 'LocationConstraint') || 'us-east-1'; })
        .catch(() => { span.textContent = '—'; });
    }
    return span;
  };
  main.append(table([
    { label: 'Name', render: (b) => link(hashOf(['s3', 'bucket', b.name]), b.name) },
    { label: 'AWS Region', render: regionCell },
    { label: 'Creation date', render: (b) => fmtDate(b.created) },
    { label: 'Actions', render: (b) => button('Delete', () => deleteBucket(b.name, slot), 'btn-small btn-danger', { 'aria-label': `Delete bucket ${b.name}` }) },
  ], buckets, { caption: `General purpose buckets (${buckets.length})`, empty: 'No buckets yet.' }));
}

async function deleteBucket(name, slot) {
  if (!await confirmDialog(`Delete bucket ${name}?`, 'Only an empty bucket can be deleted. This cannot be undone.', { typed: name })) return;
  const done = await attempt(slot, () => s3({ method: 'DELETE', bucket: name }));
  if (done) go('#/s3');
}

// ------------------------------------------------------------------ create bucket

function createBucket(main) {
  const status = h('div', { 'aria-live': 'polite' });
  const name = h('input', { type: 'text', required: true, minlength: 3, maxlength: 63, autocomplete: 'off', spellcheck: 'false', name: 'bucket' });
  const region = h('input', { type: 'text', list: 'regions', value: session.region, required: true, name: 'region' });
  const regionList = h('datalist', { id: 'regions' }, REGIONS.map((r) => h('option', { value: r })));
  const acls = radios('Object Ownership', 'ownership', [
    ['BucketOwnerEnforced', 'ACLs disabled (recommended)', 'all objects are owned by this account; access is granted by policies only'],
    ['BucketOwnerPreferred', 'ACLs enabled: Bucket owner preferred', 'objects written with the bucket-owner-full-control ACL become the bucket owner\'s'],
    ['ObjectWriter', 'ACLs enabled: Object writer', 'the writing account owns its objects'],
  ], 'BucketOwnerEnforced');
  const bpa = bpaControls(Object.fromEntries(BPA_KEYS.map(([k]) => [k, true])));
  const versioning = radios('Bucket Versioning', 'versioning', [['Suspended', 'Disable'], ['Enabled', 'Enable']], 'Suspended');
  const encryption = radios('Default encryption: encryption type', 'encryption', [
    ['AES256', 'Server-side encryption with Amazon S3 managed keys (SSE-S3)'],
    ['aws:kms', 'Server-side encryption with AWS KMS keys (SSE-KMS)', 'not available: Cairn has no KMS'],
  ], 'AES256');
  encryption.inputs[1].disabled = true;
  const lock = radios('Object Lock', 'objectlock', [['off', 'Disable'], ['on', 'Enable', 'objects can be locked against deletion; enabling it also enables versioning, for good']], 'off');
  for (const i of lock.inputs) {
    i.addEventListener('change', () => {
      if (lock.value() === 'on') { versioning.inputs[1].checked = true; }
      for (const v of versioning.inputs) v.disabled = lock.value() === 'on';
    });
  }
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Create bucket');
  const form = h('form', { class: 'form', 'aria-labelledby': 'create-title' },
    h('h1', { id: 'create-title' }, 'Create bucket'), status,
    section('General configuration', null,
      field('Bucket name', name, 'Lower-case letters, numbers, dots and hyphens; 3 to 63 characters; unique across the server.'),
      field('AWS Region', region), regionList),
    section('Object Ownership', null, acls.el),
    section('Block Public Access settings for this bucket', null, bpa.el),
    section('Bucket Versioning', null, versioning.el),
    section('Default encryption', null, encryption.el),
    section('Advanced settings', null, lock.el),
    h('div', { class: 'actions' }, h('a', { class: 'btn', href: '#/s3' }, 'Cancel'), submit));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    submit.disabled = true;
    const bucket = name.value.trim();
    const steps = [];
    const ok = await attempt(status, async () => {
      const headers = { 'x-amz-object-ownership': acls.value() };
      if (lock.value() === 'on') headers['x-amz-bucket-object-lock-enabled'] = 'true';
      const r = region.value.trim();
      const body = r && r !== session.region
        ? `<CreateBucketConfiguration xmlns="${NS}"><LocationConstraint>${xmlEscape(r)}</LocationConstraint></CreateBucketConfiguration>`
        : null;
      await s3({ method: 'PUT', bucket, headers, body });
      steps.push('created');
      await s3({ method: 'PUT', bucket, sub: 'publicAccessBlock', body: bpaXml(bpa.values()) });
      if (versioning.value() === 'Enabled' && lock.value() !== 'on') {
        await s3({ method: 'PUT', bucket, sub: 'versioning', body: `<VersioningConfiguration xmlns="${NS}"><Status>Enabled</Status></VersioningConfiguration>` });
      }
      await s3({ method: 'PUT', bucket, sub: 'encryption', body: encryptionXml('AES256') });
      return true;
    });
    submit.disabled = false;
    if (ok) go(hashOf(['s3', 'bucket', bucket], { created: '1' }));
    else if (steps.length) status.prepend(alertBox('warning', `Bucket ${bucket} was created, but not every setting could be applied.`));
  });
  main.append(form);
}

function encryptionXml(algorithm) {
  return `<ServerSideEncryptionConfiguration xmlns="${NS}"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>${algorithm}</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`;
}

// ------------------------------------------------------------------ bucket detail

async function bucketDetail(main, segments, params) {
  const bucket = segments[2];
  const tab = params.get('tab') || 'objects';
  main.append(h('div', { class: 'page-head' }, h('h1', {}, bucket)), arnLine('Bucket ARN', bucketArn(bucket)));
  if (params.get('created')) main.append(alertBox('success', `Successfully created bucket "${bucket}".`));
  const t = tabs([['objects', 'Objects'], ['properties', 'Properties'], ['permissions', 'Permissions']], tab,
    (key) => go(hashOf(['s3', 'bucket', bucket], { tab: key })));
  main.append(t.el);
  if (tab === 'objects') await objectsTab(t.panel, bucket, params);
  else if (tab === 'properties') await propertiesTab(t.panel, bucket);
  else await permissionsTab(t.panel, bucket);
}

// ------------------------------------------------------------------ objects

async function objectsTab(panel, bucket, params) {
  const prefix = params.get('prefix') || '';
  const versions = params.get('versions') === '1';
  const slot = h('div', { 'aria-live': 'polite' });
  const here = (extra) => hashOf(['s3', 'bucket', bucket], { tab: 'objects', prefix, versions: versions ? '1' : '', ...extra });

  // Breadcrumb: bucket / folder / folder /
  const crumbs = [link(hashOf(['s3', 'bucket', bucket], { tab: 'objects', versions: versions ? '1' : '' }), bucket)];
  let acc = '';
  for (const part of prefix.split('/').filter(Boolean)) {
    acc += part + '/';
    crumbs.push(' / ', link(hashOf(['s3', 'bucket', bucket], { tab: 'objects', prefix: acc, versions: versions ? '1' : '' }), part));
  }

  const fileInput = h('input', { type: 'file', multiple: true, id: 'upload-input', class: 'file-input' });
  const uploads = h('div', { class: 'uploads', 'aria-live': 'polite' });
  fileInput.addEventListener('change', async () => {
    const files = Array.from(fileInput.files);
    fileInput.value = '';
    for (const file of files) {
      const key = prefix + file.name;
      const bar = h('progress', { max: 100, value: 0, 'aria-label': `Upload of ${file.name}` });
      const state = h('span', {}, 'Uploading…');
      const row = h('div', { class: 'upload-row' }, h('span', { class: 'upload-name' }, file.name), bar, state);
      uploads.append(row);
      try {
        await s3Upload(bucket, key, file, (done, total) => { bar.value = Math.round((done * 100) / total); });
        bar.value = 100;
        state.textContent = 'Succeeded';
      } catch (err) {
        state.replaceWith(errorBox(err));
      }
    }
    await list();
  });
  const versionsToggle = checkbox('Show versions', versions);
  versionsToggle.input.addEventListener('change', () => go(here({ versions: versionsToggle.input.checked ? '1' : '' })));
  const actions = h('div', { class: 'actions' },
    h('label', { class: 'btn btn-primary', for: 'upload-input' }, 'Upload'), fileInput,
    button('Create folder', () => createFolder(bucket, prefix, slot)),
    versionsToggle.el);
  const listing = h('div');
  const more = h('div');
  panel.append(h('nav', { class: 'breadcrumb', 'aria-label': 'Folder' }, crumbs), actions, uploads, slot, listing, more);

  let token = null;
  let rows = [];
  async function list(next = false) {
    if (!next) { rows = []; token = null; }
    const query = [['delimiter', '/'], ['prefix', prefix]];
    let doc;
    if (versions) {
      if (token) query.push(['key-marker', token.key], ['version-id-marker', token.version]);
      doc = await attempt(slot, () => s3Xml({ bucket, sub: 'versions', query }));
    } else {
      query.push(['list-type', '2']);
      if (token) query.push(['continuation-token', token]);
      doc = await attempt(slot, () => s3Xml({ bucket, query }));
    }
    if (!doc) return;
    const root = doc.documentElement;
    for (const p of xchildren(root, 'CommonPrefixes')) rows.push({ folder: true, key: xtext(p, 'Prefix') });
    if (versions) {
      for (const v of Array.from(root.children).filter((c) => c.localName === 'Version' || c.localName === 'DeleteMarker')) {
        rows.push({
          key: xtext(v, 'Key'), version: xtext(v, 'VersionId'), latest: xtext(v, 'IsLatest') === 'true',
          marker: v.localName === 'DeleteMarker', size: xtext(v, 'Size'), modified: xtext(v, 'LastModified'), storage: xtext(v, 'StorageClass'),
        });
      }
      token = xtext(root, 'IsTruncated') === 'true' ? { key: xtext(root, 'NextKeyMarker'), version: xtext(root, 'NextVersionIdMarker') } : null;
    } else {
      for (const o of xchildren(root, 'Contents')) {
        const key = xtext(o, 'Key');
        if (key === prefix) continue; // the folder's own marker object
        rows.push({ key, size: xtext(o, 'Size'), modified: xtext(o, 'LastModified'), storage: xtext(o, 'StorageClass') });
      }
      token = xtext(root, 'IsTruncated') === 'true' ? xtext(root, 'NextContinuationToken') : null;
    }
    draw();
  }

  function draw() {
    const name = (r) => (r.folder
      ? link(hashOf(['s3', 'bucket', bucket], { tab: 'objects', prefix: r.key, versions: versions ? '1' : '' }), r.key.slice(prefix.length))
      : h('span', { class: 'object-name' }, r.key.slice(prefix.length)));
    const cols = [
      { label: 'Name', render: name },
      { label: 'Type', render: (r) => (r.folder ? 'Folder' : r.marker ? 'Delete marker' : (r.key.includes('.') ? r.key.split('.').pop() : '')) },
    ];
    if (versions) cols.push({ label: 'Version ID', render: (r) => (r.folder ? '' : [h('code', {}, r.version), r.latest ? ' (current)' : '']) });
    cols.push(
      { label: 'Last modified', render: (r) => fmtDate(r.modified) },
      { label: 'Size', render: (r) => (r.folder || r.marker ? '—' : fmtSize(r.size)) },
      { label: 'Storage class', render: (r) => r.storage || '' },
      { label: 'Actions', render: (r) => rowActions(r) },
    );
    clear(listing, table(cols, rows, { caption: versions ? 'Objects and versions' : 'Objects', empty: 'No objects in this folder.' }));
    clear(more, token ? button('Load more', () => list(true)) : null);
  }

  function rowActions(r) {
    const base = r.key.slice(prefix.length);
    if (r.folder) {
      return button('Delete', () => deleteFolder(r.key), 'btn-small btn-danger', { 'aria-label': `Delete folder ${base}` });
    }
    const out = [];
    if (!r.marker) {
      out.push(button('Download', () => { location.href = presignGet(bucket, r.key, 60, { versionId: r.version, attachment: true }); }, 'btn-small', { 'aria-label': `Download ${base}` }));
      out.push(button('Share', () => presignDialog(bucket, r.key, r.version), 'btn-small', { 'aria-label': `Presigned URL for ${base}` }));
    }
    out.push(button(r.version ? 'Delete version' : 'Delete', () => deleteObject(r), 'btn-small btn-danger', { 'aria-label': `Delete ${base}${r.version ? ' version ' + r.version : ''}` }));
    return h('div', { class: 'row-actions' }, out);
  }

  async function deleteObject(r) {
    const permanent = !!r.version;
    const ok = await confirmDialog(permanent ? 'Permanently delete this version?' : `Delete ${r.key}?`,
      permanent ? `Version ${r.version} of ${r.key} will be deleted for good.` : 'In a versioned bucket, this adds a delete marker; the versions stay.',
      permanent ? { typed: 'permanently delete' } : {});
    if (!ok) return;
    const query = permanent ? [['versionId', r.version]] : [];
    if (await attempt(slot, () => s3({ method: 'DELETE', bucket, key: r.key, query }))) await list();
  }

  async function deleteFolder(key) {
    if (!await confirmDialog(`Delete folder ${key}?`, 'Every object under it is deleted.', { typed: 'permanently delete' })) return;
    await attempt(slot, async () => {
      let t = null;
      do {
        const q = [['list-type', '2'], ['prefix', key]];
        if (t) q.push(['continuation-token', t]);
        const doc = await s3Xml({ bucket, query: q });
        for (const k of xall(doc, 'Contents').map((c) => xtext(c, 'Key'))) await s3({ method: 'DELETE', bucket, key: k });
        t = xtext(doc, 'IsTruncated') === 'true' ? xtext(doc, 'NextContinuationToken') : null;
      } while (t);
    });
    await list();
  }

  await list();
}

function createFolder(bucket, prefix, slot) {
  const input = h('input', { type: 'text', autocomplete: 'off' });
  const status = h('div');
  const m = modal('Create folder', status, field('Folder name', input, 'A folder is a zero-byte object whose key ends with "/".'),
    h('div', { class: 'actions' }, button('Cancel', () => m.close()), button('Create folder', async () => {
      const name = input.value.trim().replace(/\/+$/, '');
      if (!name) return;
      if (await attempt(status, () => s3({ method: 'PUT', bucket, key: `${prefix}${name}/`, body: '', headers: { 'content-type': 'application/x-directory' } }))) {
        m.close();
        go(hashOf(['s3', 'bucket', bucket], { tab: 'objects', prefix: `${prefix}${name}/` }));
      }
    }, 'btn-primary')));
  input.focus();
  void slot;
}

function presignDialog(bucket, key, versionId) {
  const amount = h('input', { type: 'number', min: 1, value: 60, required: true });
  const unit = h('select', {}, h('option', { value: '60' }, 'Minutes'), h('option', { value: '3600' }, 'Hours'), h('option', { value: '86400' }, 'Days'));
  const out = h('div', { 'aria-live': 'polite' });
  const m = modal(`Share ${key.split('/').pop()} with a presigned URL`,
    h('p', {}, 'Anyone with the URL can download the object until it expires (at most 7 days; temporary credentials stop it earlier, when they expire).'),
    field('Time interval until the presigned URL expires', amount), field('Unit', unit), out,
    h('div', { class: 'actions' }, button('Close', () => m.close()), button('Create presigned URL', () => {
      const secs = Number(amount.value) * Number(unit.value);
      if (!(secs >= 1 && secs <= 604800)) { clear(out, alertBox('error', 'The expiry must be between 1 second and 7 days.')); return; }
      const url = presignGet(bucket, key, secs, { versionId });
      const box = h('input', { type: 'text', readonly: true, value: url, class: 'wide', 'aria-label': 'Presigned URL', 'data-testid': 'presigned-url' });
      clear(out, alertBox('success', `The URL is valid for ${secs} seconds.`), box, copyButton(url, 'presigned URL'));
      box.select();
    }, 'btn-primary')));
  amount.focus();
}

// ------------------------------------------------------------------ properties

async function propertiesTab(panel, bucket) {
  const sections = [overview, versioningSection, tagsSection, encryptionSection, loggingSection, objectLockSection];
  for (const s of sections) {
    const slot = h('div');
    panel.append(slot);
    await s(slot, bucket);
  }
}

/** A section that loads `read()` and shows `view(data)`, with an Edit form `edit(data, done)`. */
async function editable(slot, title, read, view, edit) {
  const err = h('div');
  const body = h('div');
  const editBtn = edit ? button('Edit', () => startEdit(), '', { 'aria-label': `Edit ${title}` }) : null;
  clear(slot, section(title, editBtn, err, body));
  let data;
  async function show() {
    data = await attempt(err, read);
    if (data === undefined) { clear(body); return; }
    clear(body, view(data));
    if (editBtn) editBtn.disabled = false;
  }
  function startEdit() {
    editBtn.disabled = true;
    const form = h('form', { class: 'form' });
    const status = h('div');
    const saveBtn = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save changes');
    form.append(status, edit(data, form), h('div', { class: 'actions' }, button('Cancel', () => show()), saveBtn));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      saveBtn.disabled = true;
      const ok = await attempt(status, () => form.save());
      saveBtn.disabled = false;
      if (ok !== undefined) { await show(); body.prepend(alertBox('success', `Saved ${title.toLowerCase()}.`)); }
    });
    clear(body, form);
    form.querySelector('input,select,textarea')?.focus();
  }
  await show();
}

async function overview(slot, bucket) {
  await editable(slot, 'Bucket overview', async () => {
    const doc = await optional(() => s3Xml({ bucket, sub: 'location' }), 'AccessDenied');
    return { region: doc ? (xtext(doc, 'LocationConstraint') || 'us-east-1') : '(not allowed to read)' };
  }, (d) => details([['AWS Region', d.region], ['Amazon Resource Name (ARN)', h('span', {}, h('code', {}, bucketArn(bucket)), ' ', copyButton(bucketArn(bucket)))]]));
}

async function versioningSection(slot, bucket) {
  await editable(slot, 'Bucket Versioning', async () => {
    const doc = await s3Xml({ bucket, sub: 'versioning' });
    return { status: xtext(doc, 'Status') || 'Disabled' };
  }, (d) => details([['Bucket Versioning', d.status]]), (d, form) => {
    const r = radios('Bucket Versioning', 'versioning-edit', [['Suspended', 'Suspend'], ['Enabled', 'Enable']], d.status === 'Enabled' ? 'Enabled' : 'Suspended');
    form.save = () => s3({ method: 'PUT', bucket, sub: 'versioning', body: `<VersioningConfiguration xmlns="${NS}"><Status>${r.value()}</Status></VersioningConfiguration>` });
    return r.el;
  });
}

async function tagsSection(slot, bucket) {
  await editable(slot, 'Tags', async () => {
    const doc = await optional(() => s3Xml({ bucket, sub: 'tagging' }), 'NoSuchTagSet', 'NoSuchTagSetError');
    return doc ? xall(doc, 'Tag').map((t) => [xtext(t, 'Key'), xtext(t, 'Value')]) : [];
  }, (tags) => table([{ label: 'Key', render: (t) => t[0] }, { label: 'Value', render: (t) => t[1] }], tags, { empty: 'No tags.' }),
  (tags, form) => {
    const rowsEl = h('div');
    const addRow = (k = '', v = '') => {
      const key = h('input', { type: 'text', value: k, 'aria-label': 'Tag key' });
      const value = h('input', { type: 'text', value: v, 'aria-label': 'Tag value' });
      const row = h('div', { class: 'tag-row' }, key, value, button('Remove', () => row.remove(), 'btn-small', { 'aria-label': 'Remove tag' }));
      rowsEl.append(row);
    };
    tags.forEach(([k, v]) => addRow(k, v));
    form.save = async () => {
      const pairs = Array.from(rowsEl.querySelectorAll('.tag-row')).map((r) => Array.from(r.querySelectorAll('input')).map((i) => i.value.trim())).filter(([k]) => k);
      if (!pairs.length) return s3({ method: 'DELETE', bucket, sub: 'tagging' });
      return s3({ method: 'PUT', bucket, sub: 'tagging', body: `<Tagging xmlns="${NS}"><TagSet>${pairs.map(([k, v]) => `<Tag><Key>${xmlEscape(k)}</Key><Value>${xmlEscape(v)}</Value></Tag>`).join('')}</TagSet></Tagging>` });
    };
    return h('div', {}, rowsEl, button('Add tag', () => addRow()));
  });
}

async function encryptionSection(slot, bucket) {
  await editable(slot, 'Default encryption', async () => {
    const doc = await optional(() => s3Xml({ bucket, sub: 'encryption' }), 'ServerSideEncryptionConfigurationNotFoundError');
    return { algorithm: doc ? xtext(doc, 'SSEAlgorithm') : null };
  }, (d) => details([['Encryption type', d.algorithm === 'AES256' ? 'Server-side encryption with Amazon S3 managed keys (SSE-S3)' : d.algorithm || 'None (server started with --no-default-encryption)']]),
  (d, form) => {
    const r = radios('Encryption type', 'enc-edit', [
      ['AES256', 'Server-side encryption with Amazon S3 managed keys (SSE-S3)'],
      ['aws:kms', 'SSE-KMS', 'not available: Cairn has no KMS'],
    ], 'AES256');
    r.inputs[1].disabled = true;
    form.save = () => s3({ method: 'PUT', bucket, sub: 'encryption', body: encryptionXml(r.value()) });
    return r.el;
  });
}

async function loggingSection(slot, bucket) {
  await editable(slot, 'Server access logging', async () => {
    const doc = await s3Xml({ bucket, sub: 'logging' });
    const target = xtext(doc, 'TargetBucket');
    return { target, prefix: xtext(doc, 'TargetPrefix') || '' };
  }, (d) => details([['Server access logging', d.target ? 'Enabled' : 'Disabled'], ...(d.target ? [['Destination', `s3://${d.target}/${d.prefix}`]] : [])]),
  (d, form) => {
    const on = checkbox('Enable server access logging', !!d.target);
    const target = h('input', { type: 'text', value: d.target || '' });
    const prefix = h('input', { type: 'text', value: d.prefix || '' });
    form.save = () => s3({
      method: 'PUT', bucket, sub: 'logging',
      body: on.input.checked
        ? `<BucketLoggingStatus xmlns="${NS}"><LoggingEnabled><TargetBucket>${xmlEscape(target.value.trim())}</TargetBucket><TargetPrefix>${xmlEscape(prefix.value)}</TargetPrefix></LoggingEnabled></BucketLoggingStatus>`
        : `<BucketLoggingStatus xmlns="${NS}"/>`,
    });
    return h('div', {}, on.el, field('Destination bucket', target, 'Its bucket policy must allow logging.s3.amazonaws.com to put objects.'), field('Prefix', prefix));
  });
}

async function objectLockSection(slot, bucket) {
  await editable(slot, 'Object Lock', async () => {
    const doc = await optional(() => s3Xml({ bucket, sub: 'object-lock' }), 'ObjectLockConfigurationNotFoundError');
    if (!doc || xtext(doc, 'ObjectLockEnabled') !== 'Enabled') return { enabled: false };
    return { enabled: true, mode: xtext(doc, 'Mode'), days: xtext(doc, 'Days'), years: xtext(doc, 'Years') };
  }, (d) => details([['Object Lock', d.enabled ? 'Enabled' : 'Disabled'],
    ...(d.enabled ? [['Default retention', d.mode ? `${d.mode}, ${d.days ? d.days + ' days' : d.years + ' years'}` : 'Disabled']] : [])]),
  (d, form) => {
    if (!d.enabled) {
      form.save = async () => true;
      return alertBox('info', 'Object Lock can only be enabled when a bucket is created.');
    }
    const on = checkbox('Default retention', !!d.mode);
    const mode = radios('Default retention mode', 'lock-mode', [['GOVERNANCE', 'Governance'], ['COMPLIANCE', 'Compliance']], d.mode || 'GOVERNANCE');
    const days = h('input', { type: 'number', min: 1, value: d.days || 1 });
    form.save = () => s3({
      method: 'PUT', bucket, sub: 'object-lock',
      body: `<ObjectLockConfiguration xmlns="${NS}"><ObjectLockEnabled>Enabled</ObjectLockEnabled>${on.input.checked ? `<Rule><DefaultRetention><Mode>${mode.value()}</Mode><Days>${Number(days.value)}</Days></DefaultRetention></Rule>` : ''}</ObjectLockConfiguration>`,
    });
    return h('div', {}, on.el, mode.el, field('Default retention period (days)', days));
  });
}

// ------------------------------------------------------------------ permissions

async function permissionsTab(panel, bucket) {
  for (const s of [bpaSection, policySection, ownershipSection, aclSection, corsSection]) {
    const slot = h('div');
    panel.append(slot);
    await s(slot, bucket);
  }
}

async function bpaSection(slot, bucket) {
  await editable(slot, 'Block public access (bucket settings)', async () => {
    const doc = await optional(() => s3Xml({ bucket, sub: 'publicAccessBlock' }), 'NoSuchPublicAccessBlockConfiguration');
    return doc ? readBpa(doc) : Object.fromEntries(BPA_KEYS.map(([k]) => [k, false]));
  }, bpaTable, (values, form) => {
    const c = bpaControls(values);
    form.save = () => s3({ method: 'PUT', bucket, sub: 'publicAccessBlock', body: bpaXml(c.values()) });
    return c.el;
  });
}

async function policySection(slot, bucket) {
  const err = h('div');
  const status = h('div', { 'aria-live': 'polite' });
  const editor = policyEditor({ label: 'Policy', policyType: 'RESOURCE_POLICY', resourceType: 'AWS::S3::Bucket' });
  const saveBtn = button('Save changes', save, 'btn-primary');
  const deleteBtn = button('Delete', remove, 'btn-danger');
  clear(slot, section('Bucket policy', null,
    h('p', {}, 'The bucket policy, written in JSON, provides access to the objects stored in the bucket.'),
    arnLine('Bucket ARN', bucketArn(bucket)), err, status, editor.el,
    h('div', { class: 'actions' }, button('Validate', () => editor.validate()), deleteBtn, saveBtn)));
  const doc = await attempt(err, async () => {
    const resp = await optional(() => s3({ bucket, sub: 'policy' }), 'NoSuchBucketPolicy');
    return resp ? await resp.text() : '';
  });
  if (doc === undefined) return;
  editor.set(doc ? pretty(doc) : '');
  if (doc) editor.validate();
  async function save() {
    saveBtn.disabled = true;
    const findings = await editor.validate();
    if (findings.some((f) => f.findingType === 'ERROR')) {
      clear(status, alertBox('warning', 'The policy has errors (see the findings below); S3 may refuse it.'));
    } else clear(status);
    const ok = await attempt(err, () => s3({ method: 'PUT', bucket, sub: 'policy', body: editor.value(), headers: { 'content-type': 'application/json' } }));
    saveBtn.disabled = false;
    if (ok) clear(status, alertBox('success', 'Successfully edited bucket policy.'));
  }
  async function remove() {
    if (!await confirmDialog('Delete bucket policy?', 'Access granted by it ends now.')) return;
    if (await attempt(err, () => s3({ method: 'DELETE', bucket, sub: 'policy' }))) { editor.set(''); clear(status, alertBox('success', 'Bucket policy deleted.')); }
  }
}

async function ownershipSection(slot, bucket) {
  await editable(slot, 'Object Ownership', async () => {
    const doc = await optional(() => s3Xml({ bucket, sub: 'ownershipControls' }), 'OwnershipControlsNotFoundError');
    return { ownership: doc ? xtext(doc, 'ObjectOwnership') : 'ObjectWriter' };
  }, (d) => details([['Object Ownership', {
    BucketOwnerEnforced: 'Bucket owner enforced (ACLs disabled)', BucketOwnerPreferred: 'Bucket owner preferred', ObjectWriter: 'Object writer',
  }[d.ownership] || d.ownership]]), (d, form) => {
    const r = radios('Object Ownership', 'own-edit', [
      ['BucketOwnerEnforced', 'ACLs disabled (recommended)'], ['BucketOwnerPreferred', 'ACLs enabled: Bucket owner preferred'], ['ObjectWriter', 'ACLs enabled: Object writer'],
    ], d.ownership);
    form.save = () => s3({ method: 'PUT', bucket, sub: 'ownershipControls', body: `<OwnershipControls xmlns="${NS}"><Rule><ObjectOwnership>${r.value()}</ObjectOwnership></Rule></OwnershipControls>` });
    return r.el;
  });
}

async function aclSection(slot, bucket) {
  await editable(slot, 'Access control list (ACL)', async () => {
    const own = await optional(() => s3Xml({ bucket, sub: 'ownershipControls' }), 'OwnershipControlsNotFoundError');
    if (own && xtext(own, 'ObjectOwnership') === 'BucketOwnerEnforced') return { disabled: true };
    const doc = await s3Xml({ bucket, sub: 'acl' });
    return {
      disabled: false,
      grants: xall(doc, 'Grant').map((g) => ({
        grantee: xtext(g, 'URI') || xtext(g, 'DisplayName') || xtext(g, 'ID') || xtext(g, 'EmailAddress'),
        permission: xtext(g, 'Permission'),
      })),
    };
  }, (d) => (d.disabled
    ? alertBox('info', 'This bucket has the bucket owner enforced setting applied for Object Ownership: ACLs are disabled and no longer affect permissions. Use policies instead.')
    : table([{ label: 'Grantee', render: (g) => g.grantee }, { label: 'Permission', render: (g) => g.permission }], d.grants)),
  (d, form) => {
    if (d.disabled) { form.save = async () => true; return alertBox('info', 'ACLs are disabled.'); }
    const canned = h('select', {}, ['private', 'public-read', 'public-read-write', 'authenticated-read', 'log-delivery-write'].map((c) => h('option', { value: c }, c)));
    form.save = () => s3({ method: 'PUT', bucket, sub: 'acl', headers: { 'x-amz-acl': canned.value }, body: '' });
    return field('Canned ACL', canned, 'Block Public Access may refuse public ACLs.');
  });
}

function corsToJson(doc) {
  return xall(doc, 'CORSRule').map((r) => {
    const rule = {};
    const list = (tag) => xchildren(r, tag).map((e) => e.textContent);
    if (xtext(r, 'ID')) rule.ID = xtext(r, 'ID');
    if (list('AllowedHeader').length) rule.AllowedHeaders = list('AllowedHeader');
    rule.AllowedMethods = list('AllowedMethod');
    rule.AllowedOrigins = list('AllowedOrigin');
    if (list('ExposeHeader').length) rule.ExposeHeaders = list('ExposeHeader');
    if (xtext(r, 'MaxAgeSeconds')) rule.MaxAgeSeconds = Number(xtext(r, 'MaxAgeSeconds'));
    return rule;
  });
}

function corsToXml(rules) {
  if (!Array.isArray(rules)) throw new Error('The CORS configuration must be a JSON array of rules.');
  const many = (tag, v) => (Array.isArray(v) ? v : v == null ? [] : [v]).map((x) => `<${tag}>${xmlEscape(x)}</${tag}>`).join('');
  return `<CORSConfiguration xmlns="${NS}">${rules.map((r) => `<CORSRule>${r.ID ? `<ID>${xmlEscape(r.ID)}</ID>` : ''}${many('AllowedHeader', r.AllowedHeaders)}${many('AllowedMethod', r.AllowedMethods)}${many('AllowedOrigin', r.AllowedOrigins)}${many('ExposeHeader', r.ExposeHeaders)}${r.MaxAgeSeconds != null ? `<MaxAgeSeconds>${Number(r.MaxAgeSeconds)}</MaxAgeSeconds>` : ''}</CORSRule>`).join('')}</CORSConfiguration>`;
}

async function corsSection(slot, bucket) {
  await editable(slot, 'Cross-origin resource sharing (CORS)', async () => {
    const doc = await optional(() => s3Xml({ bucket, sub: 'cors' }), 'NoSuchCORSConfiguration');
    return doc ? corsToJson(doc) : [];
  }, (rules) => (rules.length ? h('pre', { class: 'code' }, JSON.stringify(rules, null, 4)) : h('p', {}, 'No configurations to display.')),
  (rules, form) => {
    const area = h('textarea', { class: 'code', rows: 12, spellcheck: 'false' });
    area.value = JSON.stringify(rules.length ? rules : [{ AllowedHeaders: ['*'], AllowedMethods: ['GET'], AllowedOrigins: ['https://example.com'], ExposeHeaders: [], MaxAgeSeconds: 3000 }], null, 4);
    form.save = async () => {
      let parsed;
      try { parsed = JSON.parse(area.value || '[]'); } catch (e) { throw new Error(`The CORS configuration is not valid JSON: ${e.message}`); }
      if (Array.isArray(parsed) && !parsed.length) return s3({ method: 'DELETE', bucket, sub: 'cors' });
      return s3({ method: 'PUT', bucket, sub: 'cors', body: corsToXml(parsed) });
    };
    return field('CORS configuration (JSON, as AWS\'s console writes it; an empty array removes it)', area);
  });
}

// ------------------------------------------------------------------ account BPA

async function accountPage(main) {
  main.append(h('h1', {}, 'Block Public Access settings for this account'),
    h('p', {}, 'These settings apply to every bucket of the account, on top of each bucket\'s own.'));
  const slot = h('div');
  main.append(slot);
  await editable(slot, 'Account settings', async () => {
    try {
      const resp = await accountBpa('GET');
      return readBpa(parseXml(await resp.text()));
    } catch (err) {
      if (err.code === 'NoSuchPublicAccessBlockConfiguration') return Object.fromEntries(BPA_KEYS.map(([k]) => [k, false]));
      throw err;
    }
  }, bpaTable, (values, form) => {
    const c = bpaControls(values);
    form.save = () => accountBpa('PUT', bpaXml(c.values()));
    return c.el;
  });
}

export const routes = [
  { match: (s) => s[0] === 's3' && s.length === 1, render: bucketList },
  { match: (s) => s[0] === 's3' && s[1] === 'create', render: createBucket },
  { match: (s) => s[0] === 's3' && s[1] === 'bucket' && s.length === 3, render: bucketDetail },
  { match: (s) => s[0] === 'account', render: accountPage },
];
