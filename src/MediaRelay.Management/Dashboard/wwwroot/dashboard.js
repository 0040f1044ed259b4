// MediaRelay's live dashboard: the summary and the chart follow /api/events (server-sent events), the table and the
// detail read /api/sessions. No library: the chart is drawn on a canvas.
'use strict';

const PAGE = 100;
const HISTORY = 120; // seconds on the chart
const $ = (id) => document.getElementById(id);
const state = { offset: 0, filter: '', selected: null, history: [], total: 0 };

const number = (n) => Number(n).toLocaleString('en-US');
const bytes = (b) => b >= 1 << 30 ? (b / (1 << 30)).toFixed(1) + ' GiB' : b >= 1 << 20 ? (b / (1 << 20)).toFixed(1) + ' MiB'
  : b >= 1024 ? (b / 1024).toFixed(1) + ' KiB' : b + ' B';
const bits = (b) => b >= 1e9 ? (b / 1e9).toFixed(2) + ' Gbit/s' : b >= 1e6 ? (b / 1e6).toFixed(2) + ' Mbit/s'
  : b >= 1e3 ? (b / 1e3).toFixed(1) + ' kbit/s' : Math.round(b) + ' bit/s';
const duration = (s) => {
  s = Math.max(0, Math.floor(s));
  const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60), sec = s % 60;
  const hms = [h, m, sec].map((x) => String(x).padStart(2, '0')).join(':');
  return d > 0 ? d + 'd ' + hms : hms;
};
const text = (value) => document.createTextNode(value == null ? '–' : String(value));
function cell(row, value, className) {
  const td = document.createElement('td');
  if (className) td.className = className;
  td.appendChild(text(value));
  row.appendChild(td);
  return td;
}

async function api(path, options) {
  const response = await fetch(path, Object.assign({ credentials: 'same-origin' }, options));
  if (!response.ok) {
    let message = response.status + ' ' + response.statusText;
    try { message = (await response.json()).error || message; } catch (e) { /* not JSON */ }
    throw new Error(message);
  }
  return response.json();
}

// Summary -----------------------------------------------------------------------------------------------------------
function showSummary(s) {
  $('relay').textContent = (s.ip || '') + ' · version ' + s.version;
  $('status').textContent = s.status;
  $('status').className = 'badge' + (s.status === 'active' ? '' : ' draining');
  $('sessions').textContent = number(s.session_count);
  $('sessions-total').textContent = number(s.sessions_total) + ' since start, ' + number(s.sessions_ended) + ' ended';
  const streams = Object.entries(s.stream_count).map(([type, n]) => n + ' ' + type).join(', ');
  $('streams').textContent = number(s.userspace_streams + s.kernel_streams);
  $('streams-path').textContent = (streams || 'none') + ' · ' + s.kernel_streams + ' in the kernel';
  showRates(s.packets_per_second, s.bps_relayed, s.packets_total, s.bytes_total);
  $('ports').textContent = number(s.ports_used);
  $('ports-free').textContent = number(s.ports_free) + ' free of ' + number(s.ports_total);
  $('uptime').textContent = duration(s.uptime);
  $('version').textContent = 'up since ' + new Date(Date.now() - s.uptime * 1000).toISOString().slice(0, 19).replace('T', ' ') + 'Z';
}

function showRates(pps, bps, packets, bytesTotal) {
  $('pps').textContent = number(Math.round(pps));
  $('bps').textContent = bits(bps);
  $('packets-total').textContent = number(packets) + ' packets in all';
  $('bytes-total').textContent = bytes(bytesTotal) + ' in all';
}

async function refreshSummary() {
  try { showSummary(await api('api/summary')); } catch (e) { $('status').textContent = e.message; }
}

// Chart -------------------------------------------------------------------------------------------------------------
function drawChart() {
  const canvas = $('chart');
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth, height = canvas.clientHeight;
  if (canvas.width !== width * ratio) { canvas.width = width * ratio; canvas.height = height * ratio; }
  const g = canvas.getContext('2d');
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, width, height);
  const left = 56, right = 48, top = 10, bottom = 22;
  const plotW = width - left - right, plotH = height - top - bottom;
  const points = state.history;
  const maxPps = niceMax(Math.max(10, ...points.map((p) => p.pps)));
  const maxSessions = niceMax(Math.max(4, ...points.map((p) => p.sessions)));

  g.strokeStyle = '#263442'; g.fillStyle = '#7f8e9b'; g.font = '11px system-ui, sans-serif'; g.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const y = top + plotH * i / 4;
    g.beginPath(); g.moveTo(left, y); g.lineTo(left + plotW, y); g.stroke();
    g.textAlign = 'right'; g.fillText(number(Math.round(maxPps * (4 - i) / 4)), left - 6, y + 4);
    g.textAlign = 'left'; g.fillText(number(Math.round(maxSessions * (4 - i) / 4)), left + plotW + 6, y + 4);
  }
  g.textAlign = 'center';
  for (let s = 0; s <= HISTORY; s += 30) {
    g.fillText(s === 0 ? 'now' : '-' + s + ' s', left + plotW - plotW * s / HISTORY, height - 6);
  }

  const now = Date.now();
  const line = (value, max, color) => {
    g.strokeStyle = color; g.lineWidth = 2; g.beginPath();
    points.forEach((p, i) => {
      const x = left + plotW - plotW * (now - p.time) / (HISTORY * 1000);
      const y = top + plotH - plotH * value(p) / max;
      if (i === 0) g.moveTo(x, y); else g.lineTo(x, y);
    });
    g.stroke();
  };
  line((p) => p.pps, maxPps, '#4fb3ff');
  line((p) => p.sessions, maxSessions, '#f5b942');
}

function niceMax(value) {
  const power = Math.pow(10, Math.floor(Math.log10(value)));
  for (const step of [1, 2, 5, 10]) if (value <= step * power) return step * power;
  return 10 * power;
}

// Sessions table ----------------------------------------------------------------------------------------------------
async function refreshTable() {
  const query = 'api/sessions?offset=' + state.offset + '&limit=' + PAGE + (state.filter ? '&filter=' + encodeURIComponent(state.filter) : '');
  let page;
  try { page = await api(query); } catch (e) { return; }
  state.total = page.total;
  const rows = $('rows');
  rows.replaceChildren();
  if (page.sessions.length === 0) {
    const tr = document.createElement('tr');
    cell(tr, state.filter ? 'no call matches the filter' : 'no running calls', 'muted').colSpan = 9;
    rows.appendChild(tr);
  }
  for (const call of page.sessions) {
    const tr = document.createElement('tr');
    tr.dataset.callId = call.call_id;
    if (call.call_id === state.selected) tr.className = 'selected';
    cell(tr, call.call_id);
    cell(tr, (call.from_tag || '–') + ' → ' + (call.to_tag || '–'));
    cell(tr, duration(call.duration));
    cell(tr, call.streams.map((s) => s.type).join(', '));
    cell(tr, number(call.packets), 'n');
    cell(tr, bytes(call.bytes), 'n');
    cell(tr, number(call.errors), 'n');
    const kernel = call.streams.some((s) => s.path === 'kernel');
    cell(tr, kernel ? 'kernel' : 'userspace', kernel ? 'kernel' : '');
    cell(tr, call.streams.find((s) => s.state !== 'active')?.state || call.state);
    tr.addEventListener('click', () => select(call.call_id));
    rows.appendChild(tr);
  }
  const last = Math.min(state.offset + page.sessions.length, page.total);
  $('count').textContent = page.total === 0 ? '' : (state.offset + 1) + '–' + last + ' of ' + number(page.total);
  $('prev').disabled = state.offset === 0;
  $('next').disabled = state.offset + PAGE >= page.total;
}

// Call detail -------------------------------------------------------------------------------------------------------
async function select(callId) {
  state.selected = callId;
  $('detail').hidden = false;
  $('detail-id').textContent = callId;
  await refreshDetail();
  document.querySelectorAll('#rows tr').forEach((tr) => tr.classList.toggle('selected', tr.dataset.callId === callId));
}

async function refreshDetail() {
  if (!state.selected) return;
  const body = $('detail-body');
  let call;
  try {
    call = await api('api/sessions/' + encodeURIComponent(state.selected));
  } catch (e) {
    body.replaceChildren(text(e.message));
    $('terminate').disabled = true;
    return;
  }
  $('terminate').disabled = false;
  const parts = [];
  const summary = document.createElement('p');
  summary.appendChild(text('tags ' + (call.from_tag || '–') + ' → ' + (call.to_tag || '–') + ' · created ' + call.created.slice(0, 19).replace('T', ' ')
    + 'Z · ' + duration(call.duration) + ' · ' + number(call.packets) + ' packets, ' + bytes(call.bytes) + ', ' + number(call.errors)
    + ' errors, ' + number(call.kernel_packets) + ' in the kernel'));
  parts.push(summary);
  for (const stream of call.streams) {
    const div = document.createElement('div');
    div.className = 'stream';
    const h = document.createElement('h3');
    h.appendChild(text('stream ' + stream.index + ': ' + stream.type + ' ' + (stream.codec || '(no media yet)') + ' ' + stream.protocol + ' · '
      + stream.state + ' · ' + (stream.latched ? 'latched' : 'not latched') + ' · ' + stream.path
      + (stream.kernel_directions ? ' (' + stream.kernel_directions + ' of 4 directions)' : '')));
    div.appendChild(h);
    const table = document.createElement('table');
    const head = document.createElement('tr');
    for (const title of ['party', 'flow', 'relay', 'learned', 'SDP', 'packets', 'bytes', 'errors', 'kernel']) {
      const th = document.createElement('th'); th.textContent = title; head.appendChild(th);
    }
    table.appendChild(head);
    for (const [name, party] of [['caller', stream.caller], ['callee', stream.callee]]) {
      for (const flow of ['rtp', 'rtcp']) {
        const f = party[flow];
        const tr = document.createElement('tr');
        cell(tr, flow === 'rtp' ? name + ' ' + (party.tag || '') + ' (' + party.direction + ', ' + party.interface + ')' : '');
        cell(tr, flow.toUpperCase());
        cell(tr, f.relay); cell(tr, f.learned); cell(tr, f.sdp);
        cell(tr, number(f.packets), 'n'); cell(tr, bytes(f.bytes), 'n'); cell(tr, number(f.errors), 'n'); cell(tr, number(f.kernel_packets), 'n');
        table.appendChild(tr);
      }
    }
    div.appendChild(table);
    parts.push(div);
  }
  body.replaceChildren(...parts);
}

function askTerminate() {
  if (!state.selected) return;
  $('confirm-id').textContent = state.selected;
  $('confirm').returnValue = '';
  $('confirm').showModal();
}

async function onConfirmClosed() {
  if ($('confirm').returnValue !== 'terminate' || !state.selected) return;
  const callId = state.selected;
  try {
    const ended = await api('api/sessions/' + encodeURIComponent(callId), { method: 'DELETE' });
    logEvent('terminated ' + callId + ': ' + number(ended.session.packets) + ' packets');
  } catch (e) {
    logEvent('terminate ' + callId + ' failed: ' + e.message);
  }
  await Promise.all([refreshTable(), refreshDetail(), refreshSummary()]);
}

// Events ------------------------------------------------------------------------------------------------------------
function logEvent(message) {
  const li = document.createElement('li');
  li.textContent = new Date().toISOString().slice(11, 19) + 'Z  ' + message;
  const list = $('events');
  list.prepend(li);
  while (list.children.length > 50) list.lastChild.remove();
}

function connect() {
  const events = new EventSource('api/events');
  events.addEventListener('open', () => { $('live').textContent = 'live'; $('live').className = 'badge'; });
  events.addEventListener('error', () => { $('live').textContent = 'offline'; $('live').className = 'badge off'; });
  events.addEventListener('totals', (e) => {
    const t = JSON.parse(e.data);
    state.history.push({ time: Date.now(), pps: t.packets_per_second, sessions: t.session_count });
    while (state.history.length > HISTORY + 1) state.history.shift();
    showRates(t.packets_per_second, t.bps_relayed, t.packets_total, t.bytes_total);
    $('sessions').textContent = number(t.session_count);
    $('ports').textContent = number(t.ports_used);
    drawChart();
  });
  events.addEventListener('session_started', (e) => {
    const call = JSON.parse(e.data);
    logEvent('started ' + call.call_id + ' (' + call.streams.map((s) => s.type).join(', ') + ')');
    refreshTable();
  });
  events.addEventListener('session_ended', (e) => {
    const call = JSON.parse(e.data);
    logEvent('ended ' + call.call_id + ': ' + call.state + ', ' + duration(call.duration) + ', ' + number(call.packets) + ' packets');
    refreshTable();
    if (call.call_id === state.selected) refreshDetail();
  });
}

// Wiring ------------------------------------------------------------------------------------------------------------
let filterTimer;
$('filter').addEventListener('input', () => {
  clearTimeout(filterTimer);
  filterTimer = setTimeout(() => { state.filter = $('filter').value.trim(); state.offset = 0; refreshTable(); }, 250);
});
$('prev').addEventListener('click', () => { state.offset = Math.max(0, state.offset - PAGE); refreshTable(); });
$('next').addEventListener('click', () => { state.offset += PAGE; refreshTable(); });
$('terminate').addEventListener('click', askTerminate);
$('close').addEventListener('click', () => { state.selected = null; $('detail').hidden = true; refreshTable(); });
$('confirm').addEventListener('close', onConfirmClosed);
window.addEventListener('resize', drawChart);

refreshSummary();
refreshTable();
connect();
drawChart();
setInterval(refreshSummary, 5000);
setInterval(() => { refreshTable(); refreshDetail(); }, 2000);
