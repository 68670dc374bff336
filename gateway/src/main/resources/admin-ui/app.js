// Tollgate admin page: reads the admin API with the operator's token. The token comes from #token=... (a fragment
// never reaches a server) or the login form, and lives in this tab's sessionStorage only.
'use strict';
const params = new URLSearchParams(location.hash.slice(1));
if (params.get('token')) { sessionStorage.setItem('tollgate-token', params.get('token')); }
let token = sessionStorage.getItem('tollgate-token');
let after = 0;
const decisions = [];

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => { if (k === 'class') node.className = v; else if (k.startsWith('on')) node.addEventListener(k.slice(2), v); else node.setAttribute(k, v); });
  children.flat().forEach(c => node.append(c instanceof Node ? c : document.createTextNode(c == null ? '' : String(c))));
  return node;
}

async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: { ...(options.headers || {}), Authorization: 'Bearer ' + token } });
  if (response.status === 401 || response.status === 403) { showLogin(); throw new Error('the admin token was refused (' + response.status + ')'); }
  return response.json();
}

function showLogin() { document.getElementById('login').style.display = 'flex'; }
document.getElementById('login').addEventListener('submit', e => {
  e.preventDefault(); token = document.getElementById('token').value; sessionStorage.setItem('tollgate-token', token);
  document.getElementById('login').style.display = 'none'; refresh();
});

async function loadRoutes() {
  const data = await api('/admin/routes');
  document.getElementById('hash').textContent = 'config ' + data.config_hash.slice(0, 19);
  const body = document.querySelector('#routes tbody'); body.replaceChildren();
  data.routes.forEach(r => body.append(el('tr', {}, el('td', {}, r.name), el('td', {}, r.path), el('td', {}, r.policy || 'none (denies)'),
    el('td', {}, r.upstreams.map(u => el('div', {}, el('span', { class: u.healthy ? 'ok' : 'bad' }, u.healthy ? 'healthy ' : 'unhealthy '), u.url,
      el('span', { class: 'muted' }, ' in flight ' + u.in_flight + (u.ejections ? ', ejected ' + u.ejections + 'x' : ''))))))));
}

// Every character that would not show as itself: controls, direction overrides, zero-width and other format
// characters, private use, and the default-ignorable ones such as variation selectors, which carry a hidden byte each.
const HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cn}\p{Cs}\p{Default_Ignorable_Code_Point}]/gu;
const escaped = c => Array.from({ length: c.length }, (_, i) => '\\u' + c.charCodeAt(i).toString(16).padStart(4, '0')).join('');

// A value written as JSON, those characters as their escapes: the operator reads what the held call would send.
function shown(value) {
  return JSON.stringify(value, null, 2).replace(HIDDEN, c => c.charCodeAt(0) < 0x7f ? c : escaped(c));
}

// Text the caller or the server chose (a tool name, a claim, a route's target), those characters as their escapes: a
// right-to-left override in a tool name would show the operator another name (review AF).
function visible(text) {
  return text === undefined || text === null ? '' : String(text).replace(HIDDEN, escaped);
}

async function loadApprovals() {
  const data = await api('/approvals');
  const body = document.querySelector('#approvals tbody'); body.replaceChildren();
  document.getElementById('no-approvals').style.display = data.pending.length ? 'none' : 'block';
  document.querySelector('#approvals table').style.display = data.pending.length ? '' : 'none';
  data.pending.forEach(a => {
    const by = el('input', { placeholder: 'your name', size: 12 });
    const reason = el('input', { placeholder: 'reason', size: 20 });
    const decide = decision => api('/approvals/' + a.id, { method: 'POST', body: JSON.stringify({ decision, by: by.value, reason: reason.value || undefined }) })
      .then(loadApprovals);
    // Everything the approver decides on, each a text node: what the call would do (its arguments, cuts marked), who
    // asks, the rule that wants a person, and what happens if nobody decides.
    const caller = Object.entries(a.caller || {});
    body.append(el('tr', { 'data-approval': a.id }, el('td', {}, el('div', {}, visible(a.tool || a.method)), el('div', { class: 'muted' }, visible(a.method) + ' on ' + visible(a.route))),
      el('td', {}, caller.length ? caller.map(([k, v]) => el('div', {}, el('span', { class: 'muted' }, visible(k) + ' '), visible(typeof v === 'string' ? v : JSON.stringify(v)))) : 'anonymous'),
      el('td', {}, el('div', {}, 'rule ' + visible(a.rule)), a.policy ? el('div', { class: 'muted' }, 'policy ' + visible(a.policy)) : '', a.message ? el('div', {}, visible(a.message)) : ''),
      el('td', {}, a.arguments === undefined ? el('span', { class: 'muted' }, 'no arguments') : el('pre', { class: 'arguments' }, shown(a.arguments)),
        a.arguments_truncated ? el('div', { class: 'warn' }, 'values cut to fit (marked where cut): the call sends them whole') : ''),
      el('td', {}, el('div', {}, 'until ' + a.expires_at), el('div', { class: a.on_timeout === 'allow' ? 'warn' : 'muted' }, 'then ' + a.on_timeout)),
      el('td', {}, by, reason, el('button', { onclick: () => decide('approve') }, 'Approve'), el('button', { onclick: () => decide('deny') }, 'Deny'))));
  });
}

async function loadDecisions() {
  const data = await api('/admin/decisions?after=' + after);
  after = data.latest;
  data.decisions.forEach(d => decisions.unshift(d));
  decisions.splice(300);
  renderDecisions();
}

function renderDecisions() {
  const want = { decision: document.getElementById('f-decision').value, tool: document.getElementById('f-tool').value, tenant: document.getElementById('f-tenant').value };
  const body = document.querySelector('#decisions tbody'); body.replaceChildren();
  decisions.filter(d => (!want.decision || d.decision === want.decision) && (!want.tool || (d.target || '').includes(want.tool))
      && (!want.tenant || (d.caller.tenant || '') === want.tenant)).slice(0, 100).forEach(d => {
    const cls = /denied|refused|rejected/.test(d.decision || '') ? 'bad' : d.decision === 'allowed' || d.decision === 'approved' ? 'ok' : 'warn';
    body.append(el('tr', { 'data-decision': d.decision || '' }, el('td', {}, d.time.slice(11, 23)), el('td', {}, visible(d.route)), el('td', {}, visible(d.method + (d.target ? ' ' + d.target : ''))),
      el('td', {}, visible(d.caller.tenant ? d.caller.tenant + '/' + (d.caller.agent || '') : (d.caller.spiffe_id || 'anonymous'))),
      el('td', { class: cls }, d.decision + (d.rule ? ' (' + visible(d.rule) + ')' : '')), el('td', {}, d.status), el('td', {}, d.ms),
      el('td', {}, el('button', { onclick: () => why(d) }, 'why?'))));
  });
}

async function why(d) {
  const out = await api('/explain', { method: 'POST', body: JSON.stringify(d.explain) });
  document.getElementById('why').replaceChildren(el('h3', {}, 'Why: ' + visible(d.method + ' ' + (d.target || '')) + ' at ' + d.time),
    el('pre', { id: 'why-trace' }, JSON.stringify(out, null, 2)));
}

document.getElementById('explain-run').addEventListener('click', async () => {
  try {
    const out = await api('/explain', { method: 'POST', body: document.getElementById('explain-input').value });
    document.getElementById('explain-output').textContent = JSON.stringify(out, null, 2);
  } catch (e) { document.getElementById('explain-output').textContent = String(e); }
});
['f-decision', 'f-tool', 'f-tenant'].forEach(id => document.getElementById(id).addEventListener('input', renderDecisions));

async function refresh() {
  if (!token) { showLogin(); return; }
  try {
    await Promise.all([loadRoutes(), loadApprovals(), loadDecisions()]);
    document.getElementById('status').textContent = 'updated ' + new Date().toISOString().slice(11, 19);
    if (params.get('why') === 'first-denied' && !document.getElementById('why-trace')) {
      const denied = decisions.find(d => d.decision === 'denied');
      if (denied) { await why(denied); }
    }
  } catch (e) { document.getElementById('status').textContent = String(e); }
}
refresh();
setInterval(refresh, 2000);
