// The console's clients of Cairn's own APIs: S3 (REST-XML), IAM and STS (Query), Access
// Analyzer (REST-JSON) and S3 Control's account Block Public Access. Every request is signed
// here with the signed-in principal's credentials; the server authorizes it like any SDK call.

import { signRequest, presignUrl, uriEncode, bytes } from './sigv4.js';

const STORE = 'cairn-console-session';

/** The signed-in session: credentials, identity, region and clock offset. */
export const session = {
  creds: null, // {accessKeyId, secretAccessKey, sessionToken?, expiration?}
  identity: null, // {arn, account, userId}
  region: 'us-east-1',
  offset: 0,
  load() {
    try {
      const saved = JSON.parse(sessionStorage.getItem(STORE) || 'null');
      if (saved) Object.assign(this, saved);
    } catch { /* ignore */ }
    return !!this.creds;
  },
  save() {
    sessionStorage.setItem(STORE, JSON.stringify({ creds: this.creds, identity: this.identity }));
  },
  clear() {
    this.creds = null;
    this.identity = null;
    sessionStorage.removeItem(STORE);
  },
  now() {
    return Date.now() + this.offset;
  },
};

/** Reads region and the server's clock (signatures are refused 15 minutes off). */
export async function loadConfig() {
  const before = Date.now();
  const resp = await fetch('/_console/api/config', { cache: 'no-store' });
  const cfg = await resp.json();
  session.region = cfg.region;
  session.offset = cfg.serverTime - Math.round((before + Date.now()) / 2);
  return cfg;
}

/** An AWS error as the API answered it. */
export class ApiError extends Error {
  constructor(status, code, message, requestId) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code || `HTTP${status}`;
    this.requestId = requestId;
  }
}

export function parseXml(text) {
  return new DOMParser().parseFromString(text, 'application/xml');
}

/** The text of the first descendant element named `tag` under `node`. */
export function xtext(node, tag) {
  const el = node?.getElementsByTagName(tag)[0];
  return el ? el.textContent : null;
}

/** Direct children named `tag`. */
export function xchildren(node, tag) {
  return node ? Array.from(node.children).filter((c) => c.localName === tag) : [];
}

export function xall(node, tag) {
  return node ? Array.from(node.getElementsByTagName(tag)) : [];
}

export function xmlEscape(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

async function errorFrom(resp) {
  const text = await resp.text().catch(() => '');
  const type = resp.headers.get('x-amzn-errortype');
  if (type || (resp.headers.get('content-type') || '').includes('json')) {
    let msg = '';
    try { const j = JSON.parse(text); msg = j.message || j.Message || ''; } catch { /* empty */ }
    return new ApiError(resp.status, (type || '').split(':')[0], msg, resp.headers.get('x-amzn-requestid'));
  }
  if (text) {
    const doc = parseXml(text);
    const code = xtext(doc, 'Code');
    if (code) return new ApiError(resp.status, code, xtext(doc, 'Message'), xtext(doc, 'RequestId'));
  }
  const fallback = { 403: 'AccessDenied', 404: 'NotFound', 301: 'PermanentRedirect' }[resp.status];
  return new ApiError(resp.status, fallback, fallback === 'AccessDenied' ? 'Access Denied' : '');
}

function ensureSignedIn() {
  if (!session.creds) throw new ApiError(401, 'NotSignedIn', 'Please sign in.');
  if (session.creds.expiration && session.creds.expiration < Date.now()) {
    throw new ApiError(401, 'ExpiredToken', 'Your session has expired; please sign in again.');
  }
}

/** Signs and sends one request; returns the Response (throws ApiError for >= 300). */
export async function send({ service, method, path, query = [], headers = {}, body = null, unsignedPayload = false, ok = [] }) {
  ensureSignedIn();
  const signed = signRequest({
    method, host: location.host, path, query, headers, body,
    payloadHash: unsignedPayload ? 'UNSIGNED-PAYLOAD' : null,
    service, region: session.region, creds: session.creds, now: session.now(),
  });
  const url = path + (signed.queryString ? '?' + signed.queryString : '');
  const resp = await fetch(url, { method, headers: signed.headers, body: body ?? undefined, cache: 'no-store', redirect: 'manual' });
  if (resp.status >= 300 && !ok.includes(resp.status)) throw await errorFrom(resp);
  return resp;
}

// ---------------------------------------------------------------- S3

export function s3Path(bucket, key) {
  if (!bucket) return '/';
  if (key == null) return '/' + bucket;
  return '/' + bucket + '/' + uriEncode(key, true);
}

/** An S3 call; `sub` is a sub-resource such as 'policy' (`?policy`). */
export async function s3({ method = 'GET', bucket, key, sub, query = [], headers = {}, body = null, ok }) {
  const q = [...query];
  if (sub) q.push([sub, '']);
  if (body != null && !headers['content-type']) headers = { ...headers, 'content-type': 'application/xml' };
  return send({ service: 's3', method, path: s3Path(bucket, key), query: q, headers, body, ok });
}

export async function s3Xml(opts) {
  const resp = await s3(opts);
  return parseXml(await resp.text());
}

/** PUT an object with upload progress (XMLHttpRequest: fetch has no upload progress). */
export function s3Upload(bucket, key, file, onProgress) {
  ensureSignedIn();
  const headers = {};
  if (file.type) headers['content-type'] = file.type;
  const path = s3Path(bucket, key);
  const signed = signRequest({
    method: 'PUT', host: location.host, path, headers, payloadHash: 'UNSIGNED-PAYLOAD',
    service: 's3', region: session.region, creds: session.creds, now: session.now(),
  });
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', path);
    for (const [k, v] of Object.entries(signed.headers)) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded, e.total); };
    xhr.onload = () => {
      if (xhr.status < 300) return resolve(xhr);
      const doc = parseXml(xhr.responseText || '<x/>');
      reject(new ApiError(xhr.status, xtext(doc, 'Code'), xtext(doc, 'Message')));
    };
    xhr.onerror = () => reject(new ApiError(0, 'NetworkError', 'The upload failed.'));
    xhr.send(file);
  });
}

/** A presigned GET URL for an object (optionally a version, as an attachment). */
export function presignGet(bucket, key, expires, { versionId, attachment } = {}) {
  ensureSignedIn();
  const query = [];
  if (versionId) query.push(['versionId', versionId]);
  if (attachment) {
    const name = key.split('/').pop() || 'download';
    query.push(['response-content-disposition', `attachment; filename="${name.replace(/["\\]/g, '_')}"`]);
  }
  return presignUrl({
    origin: location.origin, host: location.host, path: s3Path(bucket, key), query,
    region: session.region, creds: session.creds, now: session.now(), expires,
  });
}

/** S3 Control: the account's Block Public Access. */
export async function accountBpa(method, body = null) {
  const headers = { 'x-amz-account-id': session.identity.account };
  if (body) headers['content-type'] = 'application/xml';
  return send({ service: 's3', method, path: '/v20180820/configuration/publicAccessBlock', headers, body });
}

// ---------------------------------------------------------------- Query API (IAM, STS)

async function query(service, version, action, params = {}) {
  const form = new URLSearchParams({ Action: action, Version: version });
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null) form.append(k, String(v));
  }
  const body = form.toString().replace(/\+/g, '%20');
  const resp = await send({
    service, method: 'POST', path: '/',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: bytes(body),
  });
  return parseXml(await resp.text());
}

/** An IAM action; list parameters are passed pre-flattened (`Foo.member.1`). */
export const iam = (action, params) => query('iam', '2010-05-08', action, params);
export const sts = (action, params) => query('sts', '2011-06-15', action, params);

/** Every page of an IAM list call: `member` elements under `listTag`. */
export async function iamList(action, params, listTag) {
  const out = [];
  let marker;
  for (let i = 0; i < 100; i++) {
    const doc = await iam(action, { ...params, Marker: marker });
    const list = doc.getElementsByTagName(listTag)[0];
    out.push(...xchildren(list, 'member'));
    if (xtext(doc, 'IsTruncated') !== 'true') break;
    marker = xtext(doc, 'Marker');
    if (!marker) break;
  }
  return out;
}

// ---------------------------------------------------------------- Access Analyzer

/** ValidatePolicy: the findings (`policyType` IDENTITY_POLICY / RESOURCE_POLICY). */
export async function validatePolicy(document, policyType, resourceType) {
  const req = { policyDocument: document, policyType };
  if (resourceType) req.validatePolicyResourceType = resourceType;
  const findings = [];
  for (let i = 0; i < 20; i++) {
    const resp = await send({
      service: 'access-analyzer', method: 'POST', path: '/policy/validation',
      headers: { 'content-type': 'application/json' },
      body: bytes(JSON.stringify(req)),
    });
    const page = await resp.json();
    findings.push(...(page.findings || []));
    if (!page.nextToken) break;
    req.nextToken = page.nextToken;
  }
  return findings;
}

// ---------------------------------------------------------------- sign-in

export async function passwordSignIn(accountId, userName, password, newPassword) {
  const resp = await fetch('/_console/api/signin', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ accountId, userName, password, newPassword: newPassword || undefined }),
    cache: 'no-store',
  });
  const j = await resp.json().catch(() => ({}));
  if (!resp.ok) throw new ApiError(resp.status, j.code, j.message);
  return j;
}

/** Who the credentials are (sts:GetCallerIdentity needs no permission). */
export async function whoAmI() {
  const doc = await sts('GetCallerIdentity');
  return { arn: xtext(doc, 'Arn'), account: xtext(doc, 'Account'), userId: xtext(doc, 'UserId') };
}
