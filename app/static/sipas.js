/* Respondent pages, enhanced: one group per screen, an offline queue that resends
   with the same id until the server acknowledges, and kiosk reset. The pages work
   without this file; nothing here is needed to answer. */
(function () {
  'use strict';
  var d = document, html = d.documentElement;
  var QKEY = 'sipas.queue', RKEY = 'sipas.rejected', RETRY_MS = 20000;
  // Refused only because they came too long after the campaign closed: kept, shown
  // on the kiosk, and offered to the server again now and then (it may reopen).
  var HKEY = 'sipas.held', HTKEY = 'sipas.heldTried', HELD_RETRY_MS = 30 * 60 * 1000;

  function load(k) { try { return JSON.parse(localStorage.getItem(k)) || []; } catch (e) { return []; } }
  function save(k, v) { try { localStorage.setItem(k, JSON.stringify(v)); return true; } catch (e) { return false; } }
  function fmt(s, o) { return s.replace(/\{(\w+)\}/g, function (_, k) { return o[k]; }); }
  function all(sel, root) { return [].slice.call((root || d).querySelectorAll(sel)); }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16)), h;
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    h = [].map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join('');
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join('-');
  }
  function post(url, body, besides) {
    var ctl = window.AbortController ? new AbortController() : null;
    var t = setTimeout(function () { if (ctl) ctl.abort(); }, 15000);
    // An enrolled tablet says what it holds besides this request, so the
    // coordinator sees a tablet with unsent responses.
    var headers = { 'Content-Type': 'application/json',
                    'Sipas-Queue-Length': String(Math.max(besides || 0, 0)) };
    return fetch(url, {
      method: 'POST', headers: headers,
      body: JSON.stringify(body), signal: ctl && ctl.signal, credentials: 'same-origin'
    }).then(function (r) { clearTimeout(t); return r; }, function (e) { clearTimeout(t); throw e; });
  }

  /* The queue: finished responses stay in localStorage until the server has them.
     Every retry sends the same id, so a response is stored once however often it
     is sent. A 409 or 422 is the server's verdict on the response itself: sending it
     again cannot change it, so it moves to a "rejected" list kept on the device for
     a coordinator (console: localStorage['sipas.rejected']) and the queue moves on.
     A network error, 5xx, 429 or 503 says nothing about the response: it stays. */
  var flushing = false, timer = null, waitMs = RETRY_MS;
  function judged(status) { return status === 400 || status === 409 || status === 422 || status === 413; }
  function reject(b, x) {
    var rejected = load(RKEY);
    rejected.push({ id: b.id, at: new Date().toISOString(), status: x.status, error: x.error,
                    detail: x.detail, fields: x.fields, body: b });
    save(RKEY, rejected.slice(-100));
    html.dataset.rejected = rejected.length;
    if (window.console) console.warn('sipas: response ' + b.id + ' refused (' + x.status + ' ' +
                                     (x.error || '') + '): ' + (x.detail || ''), x.fields || []);
  }
  function late(x) { return x && x.error === 'late_sync_expired'; }
  function hold(b, x) {
    var held = load(HKEY).filter(function (h) { return h.id !== b.id; });
    held.push({ id: b.id, at: new Date().toISOString(), detail: x.detail, body: b });
    if (!save(HKEY, held)) return false;
    if (window.console) console.warn('sipas: response ' + b.id + ' kept: ' + (x.detail || ''));
    return true;
  }
  function settle(results) {
    var byId = {}, rest = [];
    results.forEach(function (x) { if (x.id) byId[x.id] = x; });
    load(QKEY).forEach(function (b) {
      var x = byId[b.id];
      if (late(x)) { if (!hold(b, x)) rest.push(b); }
      else if (!x || !(x.status === 200 || x.status === 201 || judged(x.status))) rest.push(b);
      else if (judged(x.status)) reject(b, x);
    });
    save(QKEY, rest);
    showHeld();
  }
  function besides(n) { return load(QKEY).length + load(HKEY).length - n; }
  function retryHeld() {
    var held = load(HKEY), tried = +(localStorage.getItem(HTKEY) || 0);
    if (!held.length || Date.now() - tried < HELD_RETRY_MS) return;
    try { localStorage.setItem(HTKEY, String(Date.now())); } catch (e) { return; }
    var q = load(QKEY), ids = {};
    q.forEach(function (b) { ids[b.id] = 1; });
    held.forEach(function (h) { if (!ids[h.id]) q.push(h.body); });
    if (save(QKEY, q)) save(HKEY, []);
  }
  function showHeld() {
    var n = load(HKEY).length, note = d.getElementById('held');
    var text = d.querySelector('meta[name=sipas-held]');
    var m = d.getElementById('msgs');
    text = m ? JSON.parse(m.textContent).held_note : text && text.content;
    if (!html.classList.contains('kiosk') || !text || !d.body) return;
    if (!n) { if (note) note.hidden = true; return; }
    if (!note) {
      note = d.createElement('p');
      note.id = 'held'; note.className = 'held'; note.setAttribute('role', 'status');
      var main = d.getElementById('main') || d.body;
      main.insertBefore(note, main.firstChild);
    }
    note.textContent = fmt(text, { n: n });
    note.hidden = false;
  }
  function schedule() {
    clearTimeout(timer);
    if (load(QKEY).length) timer = setTimeout(flush, waitMs);
    else if (load(HKEY).length) timer = setTimeout(flush, HELD_RETRY_MS);
    waitMs = RETRY_MS;
  }
  function later(r) {
    // 429 and 503 say when to come back; never sooner than the usual retry.
    var s = +(r.headers.get('Retry-After') || 0);
    waitMs = Math.max(RETRY_MS, Math.min(s, 600) * 1000);
  }
  function sendBatch(items) {
    return post('/api/v1/submissions/batch', { submissions: items }, besides(items.length)).then(function (r) {
      if (r.ok) return r.json().then(function (res) { settle(res.results); return 'done'; });
      if (r.status === 429 || r.status === 503) { later(r); return 'wait'; }
      // The batch as a whole was refused (a body the server could not read, or a
      // server bug on one item): the culprit is found by sending one at a time.
      if (items.length === 1 && r.status < 500) {
        return r.json().catch(function () { return {}; }).then(function (x) {
          x.status = r.status; x.id = items[0].id;
          settle([x]); return 'done';
        });
      }
      return 'split';
    });
  }
  function oneByOne(items) {
    // Sequential, and it stops at the first sign that the server or network is
    // down, so a dead server is not sent a hundred requests.
    return items.reduce(function (p, b) {
      return p.then(function (go) { return go ? sendBatch([b]).then(function (o) { return o === 'done'; }) : false; });
    }, Promise.resolve(true));
  }
  function flush() {
    if (!flushing) retryHeld();
    var q = load(QKEY);
    if (!q.length || flushing) return;
    flushing = true;
    var items = q.slice(0, 100);
    sendBatch(items)
      .then(function (o) { if (o === 'split' && items.length > 1) return oneByOne(items); })
      .catch(function () {})
      .then(function () { flushing = false; schedule(); });
  }
  function forget(id) { save(QKEY, load(QKEY).filter(function (b) { return b.id !== id; })); }
  window.addEventListener('online', flush);
  if (d.readyState === 'loading') d.addEventListener('DOMContentLoaded', showHeld); else showHeld();
  flush();
  var css = d.querySelector('link[rel=stylesheet]'), version = css ? css.href.split('v=')[1] : '';
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/s/sw.js?v=' + version, { scope: '/s/' }).catch(function () {});
  }
  window.addEventListener('pageshow', function (e) { if (e.persisted) location.reload(); });

  var kiosk = html.classList.contains('kiosk');
  if (kiosk) {
    d.addEventListener('contextmenu', function (e) { e.preventDefault(); });
    // A kiosk must come back to its start screen even with the network down, so it
    // keeps its two pages in the service worker's cache (phones skip the download).
    var home = location.pathname.replace(/\/(form|thanks)$/, '');
    if (window.caches) caches.open('sipas-v1').then(function (c) { return c.addAll([home, home + '/form']); }).catch(function () {});
  }
  // The interviewer's villages: their forms are kept for a field day without network.
  var pre = all('[data-precache]').map(function (a) { return a.getAttribute('href'); });
  if (pre.length && window.caches) caches.open('sipas-v1').then(function (c) { return c.addAll(pre); }).catch(function () {});
  var start = d.getElementById('start');
  if (start && kiosk) start.addEventListener('click', function () {
    if (html.requestFullscreen && !d.fullscreenElement) html.requestFullscreen().catch(function () {});
  });

  var form = d.getElementById('survey');
  // The benchmark's "interactive" point: the page can be used from here on.
  function ready() { if (window.performance && performance.mark) performance.mark('sipas-ready'); }
  if (!form) { ready(); return; }
  html.classList.add('js');
  var msgs = JSON.parse(d.getElementById('msgs').textContent);
  var steps = all('.step', form), cur = 0;
  var conds = all('fieldset.cond', form);
  var sendBtn = form.querySelector('[data-send]'), sendErr = d.getElementById('send-error');
  var bar = form.querySelector('.progress progress'), barText = form.querySelector('.progress span');
  // A counter's start screen, or (an interviewer) the next household's form.
  var welcome = form.dataset.home || '/s/' + form.dataset.counter;
  if (!form.dataset.draft) {
    form.elements.id.value = uuid();
    form.elements.started_at.value = new Date().toISOString();
  }

  function code(fs) { return fs.id.slice(2); }
  function values(name) {
    return all('[name="' + name + '"]', form).filter(function (i) {
      return (i.type !== 'radio' && i.type !== 'checkbox') || i.checked;
    }).map(function (i) { return i.value.trim(); }).filter(Boolean);
  }
  function asked(fs) { return !fs.classList.contains('cond') || fs.classList.contains('shown'); }
  function applyShowIf() {
    conds.forEach(function (fs) {
      var rule = JSON.parse(fs.dataset.showIf), on = true;
      Object.keys(rule).forEach(function (ref) {
        if (!values(ref).some(function (v) { return rule[ref].indexOf(v) >= 0; })) on = false;
      });
      fs.classList.toggle('shown', on);
      if (!on) all('input', fs).forEach(function (i) { i.checked = false; });
    });
  }
  function problem(fs) {
    if (!asked(fs)) return '';
    var v = values(code(fs)), max = +fs.dataset.max;
    if (fs.dataset.required && !v.length) return msgs.err_required;
    if (max && v.length > max) return fmt(msgs.err_too_many, { n: max });
    return '';
  }
  function mark(fs, m) {
    var p = d.getElementById('e-' + code(fs));
    p.textContent = m; p.hidden = !m;
    fs.classList.toggle('bad', !!m);
    if (m) { fs.setAttribute('aria-invalid', 'true'); fs.setAttribute('aria-describedby', p.id); }
    else fs.removeAttribute('aria-invalid');
  }
  function check(list) {
    var first = null;
    list.forEach(function (fs) { var m = problem(fs); mark(fs, m); if (m && !first) first = fs; });
    return first;
  }
  function stepOf(el) { return steps.indexOf(el.closest('.step')); }
  function show(n, focus) {
    cur = Math.max(0, Math.min(n, steps.length - 1));
    steps.forEach(function (s, i) { s.classList.toggle('on', i === cur); });
    html.classList.toggle('first', cur === 0);
    html.classList.toggle('last', cur === steps.length - 1);
    bar.value = cur + 1;
    barText.textContent = fmt(msgs.part, { n: cur + 1, total: steps.length });
    form.elements._step.value = cur;
    if (focus) {
      var h = steps[cur].querySelector('h2');
      h.tabIndex = -1; h.focus(); window.scrollTo(0, 0);
    }
  }
  function goTo(fs) {
    show(stepOf(fs), false);
    fs.scrollIntoView();
    var input = fs.querySelector('input,textarea');
    if (input) input.focus({ preventScroll: true });
  }

  form.addEventListener('change', function (e) {
    applyShowIf();
    var fs = e.target.closest('fieldset.q');
    if (fs && fs.classList.contains('bad')) mark(fs, problem(fs));
  });
  var stepErr = d.getElementById('step-error');
  function next() {
    var here = all('fieldset.q', steps[cur]), bad = check(here);
    stepErr.hidden = !bad;
    if (!bad && ended(here)) return;
    if (!bad) { show(cur + 1, true); return; }
    // Say how many, beside the button that was refused, then go to the first.
    var n = here.filter(function (fs) { return fs.classList.contains('bad'); }).length;
    stepErr.textContent = fmt(msgs.missing, { n: n });
    goTo(bad);
  }
  // An eligibility answer that ends the form (a minor): say so politely, send nothing.
  function ended(here) {
    var stop = here.filter(function (fs) {
      var when = fs.dataset.endsForm ? JSON.parse(fs.dataset.endsForm) : [];
      return values(code(fs)).some(function (v) { return when.indexOf(v) >= 0; });
    })[0];
    if (!stop) return false;
    form.reset();
    form.hidden = true;
    var card = d.getElementById('ended-' + code(stop));
    card.hidden = false; card.focus(); window.scrollTo(0, 0);
    return true;
  }
  form.querySelector('[data-next]').addEventListener('click', next);
  form.querySelector('[data-back]').addEventListener('click', function () {
    stepErr.hidden = true; show(cur - 1, true);
  });

  function collect() {
    var answers = {};
    all('fieldset.q', form).forEach(function (fs) {
      var name = code(fs), v = values(name);
      if (!asked(fs) || !v.length) return;
      if (fs.classList.contains('multi')) answers[name] = v;
      else if (fs.classList.contains('scale')) answers[name] = parseInt(v[0], 10);
      else answers[name] = v[0];
    });
    var f = form.dataset;
    return {
      id: form.elements.id.value, questionnaire: f.questionnaire, version: +f.version,
      // A household campaign's form names its village instead of a counter.
      counter: f.unit ? undefined : f.counter, unit: f.unit || undefined,
      campaign: f.campaign, channel: f.channel,
      started_at: form.elements.started_at.value, submitted_at: new Date().toISOString(),
      dossier: form.elements.dossier ? form.elements.dossier.value : undefined,
      // Queued with the response: a late send needs the token of its served form.
      form_token: form.elements.form_token ? form.elements.form_token.value : undefined,
      answers: answers
    };
  }
  function serverProblems(err) {
    var first = null;
    (err.fields || []).forEach(function (x) {
      var fs = d.getElementById('q-' + (x.loc || '').replace(/^answers\./, ''));
      if (!fs) return;
      var m = x.code === 'required' ? msgs.err_required : x.code === 'too_many'
        ? fmt(msgs.err_too_many, { n: fs.dataset.max }) : msgs.err_value;
      mark(fs, m);
      if (!first) first = fs;
    });
    if (first) goTo(first);
    else { sendErr.textContent = msgs.not_open_body; sendErr.hidden = false; }
  }
  function finished(queued) {
    stopIdle();
    form.reset();
    form.hidden = true;
    sent = true;
    // The switch now shows this thank-you page in the other language, never the
    // questionnaire again; offline there is no page to fetch, so it goes.
    if (langLink) { langLink.href = langLink.dataset.thanks; langLink.hidden = queued; }
    var done = d.getElementById('done');
    done.hidden = false;
    done.querySelector('.queued').hidden = !queued;
    done.focus();
    if (!kiosk) return;
    var left = +form.dataset.restart, note = done.querySelector('.restart');
    (function tick() {
      note.textContent = fmt(msgs.restart_in, { n: left });
      if (left-- <= 0) location.replace(welcome); else setTimeout(tick, 1000);
    })();
  }
  function enable() { sendBtn.disabled = false; sendBtn.textContent = sendBtn.dataset.label; }
  sendBtn.dataset.label = sendBtn.textContent;

  /* The language switch is a link (so Enter never presses it); on a half-filled
     form it posts the form instead, and the server shows it again, answers kept. */
  var langLink = d.getElementById('lang-switch'), sent = false;
  if (langLink) langLink.addEventListener('click', function (e) {
    if (sent) return;
    e.preventDefault();
    var field = d.createElement('input');
    field.type = 'hidden'; field.name = '_lang'; field.value = langLink.dataset.lang;
    form.appendChild(field);
    form.submit();
  });

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    // Enter on an answer before the last group means "next", not "send".
    if (cur < steps.length - 1) { next(); return; }
    if (sendBtn.disabled) return;
    sendErr.hidden = true;
    var bad = check(all('fieldset.q', form));
    if (bad) { goTo(bad); return; }
    var body = collect(), q = load(QKEY);
    q.push(body);
    var kept = save(QKEY, q);
    sendBtn.disabled = true; sendBtn.textContent = msgs.sending;
    post('/api/v1/submissions', body, besides(1)).then(function (r) {
      if (r.status === 201 || r.status === 200) { forget(body.id); finished(false); }
      else if (r.status === 409) {
        forget(body.id);
        // The counter's target filled while they answered: its start page says so, politely.
        return r.json().then(function (x) {
          if (x.error === 'quota_full') location.replace(welcome); else finished(false);
        }, function () { finished(false); });
      } else if (r.status === 422) {
        forget(body.id); enable();
        return r.json().then(serverProblems);
      } else throw new Error(r.status);
    }).catch(function () {
      if (kept) { finished(true); schedule(); }
      else { enable(); sendErr.textContent = msgs.send_failed; sendErr.hidden = false; }
    });
  });

  /* Kiosk: after a while without a touch, warn; then clear the answers and start over. */
  var idleT = null, warnT = null, dlg = d.getElementById('idle');
  function stopIdle() { clearTimeout(idleT); clearTimeout(warnT); dlg.hidden = true; }
  function arm() { clearTimeout(idleT); idleT = setTimeout(warn, +form.dataset.idle * 1000); }
  function warn() {
    var left = +form.dataset.warn, p = d.getElementById('idle-p');
    dlg.hidden = false;
    dlg.querySelector('button').focus();
    (function tick() {
      if (dlg.hidden) return;
      p.textContent = fmt(msgs.idle_body, { n: left });
      if (left-- <= 0) { form.reset(); location.replace(welcome); } else warnT = setTimeout(tick, 1000);
    })();
  }
  if (kiosk) {
    dlg.querySelector('button').addEventListener('click', function () { stopIdle(); arm(); });
    ['pointerdown', 'keydown', 'input', 'scroll'].forEach(function (ev) {
      d.addEventListener(ev, function () { if (dlg.hidden) arm(); }, { passive: true, capture: true });
    });
    arm();
  }

  applyShowIf();
  var firstBad = form.querySelector('fieldset.bad');
  if (firstBad) goTo(firstBad); else show(+form.dataset.step || 0, false);
  ready();
})();
