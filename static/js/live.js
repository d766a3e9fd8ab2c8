/*
 * Werkstatt – live workshop mode.
 *
 * Progressive enhancement for three pages, told apart by data-live:
 *   wall      the presenter wall: cards arrive, counts move, the countdown
 *             runs, an idea goes into the spotlight, cards or ranking;
 *   control   the facilitator's control page: countdown and counts follow;
 *   workshop  the workshop page (phones): countdown, counts, notices of new
 *             ideas and phase changes, dot voting without reloading.
 * Every page works without it: the wall reloads itself, forms post and
 * redirect. It follows the workshop's event stream (EventSource), which
 * resumes after a lost connection with Last-Event-ID. Screen readers hear
 * at most one short summary every few seconds, never every event.
 * No libraries; all texts come from the page (#live-texts).
 */
(function () {
  'use strict';

  var root = document.querySelector('[data-live]');
  var textsEl = document.getElementById('live-texts');
  if (!root || !textsEl) {
    return;
  }
  // What the page knows of the workshop, and every text, come from data-*
  // attributes: the catalogue stays the one source of strings, and the page
  // needs no inline script.
  var data = root.dataset;
  var cfg = {
    mode: data.live,
    events: data.events,
    lang: data.lang || document.documentElement.lang,
    slug: data.slug,
    phase: data.phase,
    votingMode: data.votingMode,
    dotBudget: parseInt(data.dotBudget, 10) || 0,
    dotsMax: parseInt(data.dotsMax, 10) || 0,
    view: data.view,
    hideCounts: data.hideCounts === 'true'
  };
  var texts = textsEl.dataset;
  var mode = cfg.mode;
  var loadedAt = Date.now();
  var motion = window.matchMedia && window.matchMedia('(prefers-reduced-motion: no-preference)').matches;

  function fill(template, values) {
    return String(template || '').replace(/\{(\w+)\}/g, function (m, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : m;
    });
  }

  function each(selector, fn, scope) {
    Array.prototype.forEach.call((scope || document).querySelectorAll(selector), fn);
  }

  function capital(s) {
    return s ? s.charAt(0).toUpperCase() + s.slice(1) : '';
  }

  function phaseName(phase) {
    return texts['phase' + capital(phase)] || phase;
  }

  // flash marks a changed number for a moment (skipped with reduced motion).
  function flash(el) {
    el.classList.remove('is-updated');
    void el.offsetWidth;
    el.classList.add('is-updated');
  }

  /* ---------- Announcements: one summary every few seconds at most ---------- */

  var GAP = mode === 'wall' ? 4000 : 6000;
  var pending = { ideas: 0, votes: false, other: [] };
  var lastSaid = 0;
  var summaryTimer = 0;

  function region() {
    var el = document.getElementById('live-status');
    if (!el) {
      el = document.createElement('div');
      el.id = 'live-status';
      el.className = 'visually-hidden';
      el.setAttribute('role', 'status');
      el.setAttribute('aria-live', 'polite');
      el.setAttribute('aria-atomic', 'true');
      document.body.appendChild(el);
    }
    return el;
  }

  // say speaks at once: for the person's own actions.
  function say(text) {
    var el = region();
    el.textContent = '';
    lastSaid = Date.now();
    window.setTimeout(function () {
      el.textContent = text;
    }, 100);
  }

  // note collects what happened; flush says it as one sentence.
  function note(kind, text) {
    if (kind === 'idea') {
      pending.ideas++;
    } else if (kind === 'votes') {
      pending.votes = true;
    } else if (text && pending.other.indexOf(text) === -1) {
      pending.other.push(text);
    }
    if (!summaryTimer) {
      summaryTimer = window.setTimeout(flush, Math.max(1000, GAP - (Date.now() - lastSaid)));
    }
  }

  function flush() {
    summaryTimer = 0;
    var parts = pending.other.slice();
    if (pending.ideas) {
      parts.push(fill(pending.ideas === 1 ? texts.ideasOne : texts.ideasOther, { n: pending.ideas }));
    }
    if (pending.votes) {
      parts.push(cfg.votingMode === 'dots' ? texts.dots : texts.votes);
    }
    pending = { ideas: 0, votes: false, other: [] };
    if (parts.length) {
      say(parts.join(', ') + '.');
    }
  }

  /* ---------- Countdown ---------- */

  // The page says what the server's clock read when it was made; the
  // difference to this device's clock corrects every countdown after.
  var timerEl = document.querySelector('[data-timer]');
  var timer = null;
  var offset = 0;

  function clock(s) {
    s = Math.max(0, s);
    var h = Math.floor(s / 3600);
    var m = Math.floor(s / 60) % 60;
    var sec = s % 60;
    var mm = h ? (m < 10 ? '0' : '') + m : String(m);
    return (h ? h + ':' : '') + mm + ':' + (sec < 10 ? '0' : '') + sec;
  }

  function endsAtText(ms) {
    try {
      return new Date(ms).toLocaleTimeString(cfg.lang, { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Berlin' });
    } catch (e) {
      return new Date(ms).toTimeString().slice(0, 5);
    }
  }

  function remaining() {
    if (timer.state === 'running') {
      return Math.max(0, Math.ceil((timer.endsAt - (Date.now() + offset)) / 1000));
    }
    return timer.remaining;
  }

  function showTimer() {
    var stopped = timer.state !== 'running' && timer.state !== 'paused';
    timerEl.hidden = stopped;
    timerEl.setAttribute('data-state', timer.state);
    timerEl.classList.toggle('is-paused', timer.state === 'paused');
    each('[data-timer-none]', function (el) {
      el.hidden = !stopped;
    });
    var end = timerEl.querySelector('[data-timer-end]');
    if (end && timer.state === 'running') {
      end.textContent = fill(texts.timerEndsAt, { time: endsAtText(timer.endsAt) });
    }
    timer.shown = -1;
    tick();
  }

  function tick() {
    if (!timer) {
      return;
    }
    var left = remaining();
    if (left === timer.shown) {
      return;
    }
    timer.shown = left;
    var expired = timer.state === 'running' && left === 0;
    var clockEl = timerEl.querySelector('[data-timer-clock]');
    if (clockEl) {
      clockEl.textContent = clock(left);
    }
    var label = timerEl.querySelector('[data-timer-label]');
    if (label) {
      label.textContent = timer.state === 'paused' ? texts.timerPaused : expired ? texts.timerExpired : texts.timerRemaining;
    }
    if (expired && !timerEl.classList.contains('is-expired')) {
      note('other', texts.timerExpired);
    }
    timerEl.classList.toggle('is-expired', expired);
    var end = timerEl.querySelector('[data-timer-end]');
    if (end) {
      end.hidden = timer.state !== 'running' || expired;
    }
  }

  function initTimer() {
    if (!timerEl) {
      return;
    }
    var server = Date.parse(timerEl.getAttribute('data-server-time'));
    offset = isNaN(server) ? 0 : server - loadedAt;
    timer = {
      state: timerEl.getAttribute('data-state'),
      endsAt: Date.parse(timerEl.getAttribute('data-ends-at')) || 0,
      remaining: parseInt(timerEl.getAttribute('data-remaining'), 10) || 0,
      shown: -1
    };
    tick();
    window.setInterval(tick, 250);
  }

  function onTimer(data) {
    if (!timer) {
      return;
    }
    var before = timer.state;
    timer.state = data.state;
    timer.endsAt = data.ends_at ? Date.parse(data.ends_at) : 0;
    timer.remaining = data.remaining_seconds || 0;
    timerEl.classList.remove('is-expired');
    showTimer();
    if (data.state === 'running') {
      note('other', fill(texts.timerStarted, { time: clock(remaining()) }));
    } else if (data.state === 'paused') {
      note('other', texts.timerPaused);
    } else if (before !== 'stopped') {
      note('other', texts.timerStopped);
    }
  }

  /* ---------- The event stream ---------- */

  function connect(handlers) {
    if (!window.EventSource || !cfg.events) {
      return;
    }
    var lastID = '';
    var source;
    function open() {
      var url = cfg.events + (lastID ? '?last_event_id=' + encodeURIComponent(lastID) : '');
      source = new EventSource(url);
      // data-live-state says whether the page is following: "open" once
      // the stream answers (tests wait for it), "waiting" while it is lost
      source.addEventListener('open', function () {
        root.setAttribute('data-live-state', 'open');
      });
      Object.keys(handlers).forEach(function (name) {
        source.addEventListener(name, function (ev) {
          if (ev.lastEventId) {
            lastID = ev.lastEventId;
          }
          var data;
          try {
            data = JSON.parse(ev.data);
          } catch (e) {
            return;
          }
          handlers[name](data || {});
        });
      });
      // The browser reconnects by itself after a lost connection; an answer
      // that is not a stream (a restart, a full server) ends it, so try
      // again a little later, resuming after the last event seen.
      source.addEventListener('error', function () {
        root.setAttribute('data-live-state', 'waiting');
        if (source.readyState === 2) {
          window.setTimeout(open, 15000);
        }
      });
    }
    open();
  }

  function getHTML(url) {
    return fetch(url, { credentials: 'same-origin', headers: { Accept: 'text/html' } }).then(function (res) {
      if (res.status === 204 || res.status === 404) {
        return null;
      }
      if (!res.ok) {
        throw new Error('live: ' + url + ' answered ' + res.status);
      }
      return res.text().then(function (html) {
        var t = document.createElement('template');
        t.innerHTML = html.trim();
        return t.content.firstElementChild;
      });
    });
  }

  // setCount writes a count and its noun (one/other) into el's children.
  function setCount(el, n, one, other) {
    var num = el.querySelector('[data-count]');
    var noun = el.querySelector('[data-noun]');
    if (num && num.textContent !== String(n)) {
      num.textContent = String(n);
      flash(num);
    }
    if (noun) {
      noun.textContent = n === 1 ? one : other;
    }
  }

  /* ---------- The wall ---------- */

  function initWall() {
    var list = document.getElementById('wall-ideas');
    var spot = document.getElementById('wall-spotlight');
    var spotBody = spot && spot.querySelector('[data-spotlight-body]');
    var body = document.body;

    function dots() {
      return cfg.votingMode === 'dots';
    }
    function countsHidden() {
      return cfg.hideCounts && cfg.phase !== 'closed';
    }
    function ranking() {
      return cfg.view === 'ranking' && !countsHidden();
    }
    function countOf(el) {
      return parseInt(el.getAttribute(dots() ? 'data-dots' : 'data-votes'), 10) || 0;
    }
    function num(el, attr) {
      return parseInt(el.getAttribute(attr), 10) || 0;
    }

    function showCount(el) {
      var n = countOf(el);
      setCount(el, n, dots() ? texts.dotsOne : texts.votesOne, dots() ? texts.dotsOther : texts.votesOther);
    }

    // order puts the cards in the order of the view; in the ranking, cards
    // that move glide to their new place (not with reduced motion).
    function order() {
      var items = Array.prototype.slice.call(list.children);
      var sorted = items.slice().sort(function (a, b) {
        if (ranking()) {
          var d = countOf(b) - countOf(a);
          if (d) {
            return d;
          }
        }
        return num(b, 'data-created') - num(a, 'data-created') || num(b, 'data-idea') - num(a, 'data-idea');
      });
      var same = sorted.every(function (el, i) {
        return el === items[i];
      });
      if (same) {
        return;
      }
      var before = {};
      if (motion) {
        items.forEach(function (el) {
          before[el.id] = el.getBoundingClientRect();
        });
      }
      sorted.forEach(function (el) {
        list.appendChild(el);
      });
      if (!motion) {
        return;
      }
      sorted.forEach(function (el) {
        var old = before[el.id];
        if (!old) {
          return;
        }
        var now = el.getBoundingClientRect();
        var dx = old.left - now.left;
        var dy = old.top - now.top;
        if (!dx && !dy) {
          return;
        }
        el.style.transition = 'none';
        el.style.transform = 'translate(' + dx + 'px, ' + dy + 'px)';
        void el.offsetWidth;
        el.style.transition = 'transform 0.6s ease';
        el.style.transform = '';
      });
    }

    function updateTotal() {
      var n = list.children.length;
      each('[data-wall-total]', function (el) {
        el.textContent = String(n);
      });
      each('[data-wall-empty]', function (el) {
        el.hidden = n > 0;
      });
    }

    function applySettings() {
      body.setAttribute('data-view', cfg.view);
      body.setAttribute('data-dots', String(dots()));
      body.classList.toggle('counts-hidden', countsHidden());
      each('[data-ideas-heading]', function (el) {
        el.textContent = ranking() ? texts.rankingHeading : texts.ideasHeading;
      });
      each('[data-phase-badge]', function (el) {
        el.className = 'phase phase-' + cfg.phase;
        el.textContent = phaseName(cfg.phase);
      });
      each('[data-wall-task]', function (el) {
        var t = cfg.phase === 'voting' && dots() ? fill(texts.taskVotingDots, { n: cfg.dotBudget }) : texts['task' + capital(cfg.phase)];
        if (t) {
          el.textContent = t;
        }
      });
      each('.wall-card, .spot', showCount);
      order();
    }

    function place(card) {
      var old = document.getElementById(card.id);
      if (old) {
        list.replaceChild(card, old);
      } else {
        list.insertBefore(card, list.firstChild);
        if (motion) {
          card.classList.add('is-new');
        }
      }
      showCount(card);
      order();
      updateTotal();
    }

    function fetchCard(id, announce) {
      return getHTML('/w/' + encodeURIComponent(cfg.slug) + '/wall/ideas/' + id).then(function (card) {
        if (!card) {
          removeCard(id);
          return;
        }
        place(card);
        if (announce) {
          note('idea');
        }
      });
    }

    function removeCard(id) {
      var card = document.getElementById('wall-idea-' + id);
      if (card) {
        card.parentNode.removeChild(card);
        updateTotal();
      }
      var s = spotBody && spotBody.querySelector('.spot[data-idea="' + id + '"]');
      if (s) {
        showSpotlight(null);
      }
    }

    function showSpotlight(article) {
      if (!spot) {
        return;
      }
      spotBody.textContent = '';
      if (article) {
        spotBody.appendChild(article);
        showCount(article);
      }
      spot.hidden = !article;
      body.classList.toggle('has-spotlight', !!article);
    }

    function refreshSpotlight(announce) {
      return getHTML('/w/' + encodeURIComponent(cfg.slug) + '/wall/spotlight').then(function (article) {
        showSpotlight(article);
        if (!announce) {
          return;
        }
        var title = article && article.querySelector('.spot-title');
        note('other', title ? fill(texts.spotlightOn, { title: title.textContent.trim() }) : texts.spotlightOff);
      });
    }

    function ignore() {}

    var fullscreen = document.querySelector('[data-fullscreen]');
    if (fullscreen && document.fullscreenEnabled) {
      fullscreen.hidden = false;
      fullscreen.addEventListener('click', function () {
        if (document.fullscreenElement) {
          document.exitFullscreen().catch(ignore);
        } else {
          document.documentElement.requestFullscreen().catch(ignore);
        }
      });
    }

    connect({
      'idea.created': function (d) {
        fetchCard(d.idea_id, true).catch(ignore);
      },
      'idea.updated': function (d) {
        if (d.hidden_on_wall === true) {
          removeCard(d.idea_id);
        } else {
          fetchCard(d.idea_id, false).catch(ignore);
        }
      },
      'vote.changed': function (d) {
        each('.wall-card[data-idea="' + d.idea_id + '"], .spot[data-idea="' + d.idea_id + '"]', function (el) {
          el.setAttribute('data-votes', String(d.votes));
          el.setAttribute('data-dots', String(d.dots));
          showCount(el);
        });
        order();
        if (!countsHidden()) {
          note('votes');
        }
      },
      'phase.changed': function (d) {
        cfg.phase = d.phase;
        applySettings();
        note('other', fill(texts.phase, { phase: phaseName(d.phase) }));
      },
      'wall.changed': function (d) {
        var wasHidden = countsHidden();
        var wasView = cfg.view;
        cfg.votingMode = d.voting_mode || cfg.votingMode;
        cfg.dotBudget = d.dot_budget || cfg.dotBudget;
        cfg.view = d.wall_view || cfg.view;
        cfg.hideCounts = !!d.hide_counts;
        applySettings();
        if (wasView !== cfg.view) {
          note('other', cfg.view === 'ranking' ? texts.viewRanking : texts.viewCards);
        }
        if (wasHidden !== countsHidden()) {
          note('other', countsHidden() ? texts.countsHidden : texts.countsShown);
        }
      },
      'spotlight.changed': function () {
        refreshSpotlight(true).catch(ignore);
      },
      'timer.changed': onTimer
    });
  }

  /* ---------- Notices on the workshop and control pages ---------- */

  var newIdeas = 0;

  function notice(kind, text) {
    each('[data-notice="' + kind + '"]', function (el) {
      var t = el.querySelector('[data-notice-text]');
      if (t) {
        t.textContent = text;
      }
      el.hidden = false;
    });
  }

  function onIdeaCreated() {
    newIdeas++;
    notice('ideas', fill(newIdeas === 1 ? texts.ideasOne : texts.ideasOther, { n: newIdeas }));
    note('idea');
  }

  function onPhase(d) {
    if (d.phase === cfg.phase) {
      return;
    }
    var text = fill(texts.phaseNotice, { phase: phaseName(d.phase) });
    notice('reload', text);
    note('other', text);
  }

  function setText(selector, value) {
    each(selector, function (el) {
      if (el.textContent !== String(value)) {
        el.textContent = String(value);
        flash(el);
      }
    });
  }

  // updateCounts takes a vote.changed event, or a dot total alone.
  function updateCounts(d) {
    var sel = '[data-idea="' + d.idea_id + '"]';
    var dotVoting = cfg.votingMode === 'dots';
    if (typeof d.votes === 'number') {
      setText('.vote-count' + sel, d.votes);
      each('.vote-noun' + sel, function (el) {
        var t = el.getAttribute(d.votes === 1 ? 'data-one' : 'data-other');
        if (t !== null) {
          el.textContent = t;
        }
      });
      if (!dotVoting) {
        setText('.control-count' + sel, d.votes);
      }
    }
    if (typeof d.dots === 'number') {
      setText('.dots-count' + sel, d.dots);
      if (dotVoting) {
        setText('.control-count' + sel, d.dots);
      }
    }
  }

  /* ---------- Dot voting in place ---------- */

  function setDots(item, count, left, total) {
    var id = item.getAttribute('data-dots-idea');
    each('[data-my-dots]', function (el) {
      el.textContent = String(count);
    }, item);
    each('.pip', function (el, i) {
      el.classList.toggle('is-on', i < count);
    }, item);
    each('form.dots-form', function (form) {
      var step = parseInt(form.getAttribute('data-step'), 10);
      var input = form.querySelector('input[name="count"]');
      if (input) {
        input.value = String(count + step);
      }
      var button = form.querySelector('button');
      if (button && step < 0) {
        var off = count <= 0;
        if (off && document.activeElement === button) {
          // keep the keyboard in the row: move to the + button
          var plus = item.querySelector('form.dots-form[data-step="1"] button');
          if (plus) {
            plus.focus();
          }
        }
        button.disabled = off;
      }
    }, item);
    each('[data-dots-left]', function (el) {
      if (el.textContent !== String(left)) {
        el.textContent = String(left);
        flash(el);
      }
    });
    updateCounts({ idea_id: id, dots: total });
  }

  function dotsError(item, message) {
    var el = item.querySelector('[data-dots-error]');
    if (!el) {
      return;
    }
    el.hidden = !message;
    el.setAttribute('role', 'alert');
    el.textContent = message || '';
  }

  function initDotForm(form) {
    var item = form.closest('[data-dots-idea]');
    form.addEventListener('submit', function (ev) {
      if (!window.fetch || !window.URLSearchParams || !window.FormData || !item) {
        return;
      }
      ev.preventDefault();
      if (item.classList.contains('is-busy')) {
        return;
      }
      item.classList.add('is-busy');
      var token = form.querySelector('input[name="_csrf"]');
      fetch(form.getAttribute('action'), {
        method: 'POST',
        headers: { Accept: 'application/json', 'X-CSRF-Token': token ? token.value : '' },
        body: new URLSearchParams(new FormData(form)),
        credentials: 'same-origin',
        redirect: 'manual'
      })
        .then(function (res) {
          var type = res.headers.get('Content-Type') || '';
          if (type.indexOf('json') === -1) {
            throw new Error('dots: unexpected answer ' + res.status);
          }
          return res.json().then(function (data) {
            return { res: res, data: data || {} };
          });
        })
        .then(function (r) {
          item.classList.remove('is-busy');
          if (r.res.ok) {
            dotsError(item, '');
            setDots(item, r.data.count, r.data.dots_left, r.data.dots);
            say(fill(texts.dotsAnnounce, { title: item.getAttribute('data-title'), n: r.data.count, left: r.data.dots_left }));
            return;
          }
          if (r.res.status === 409 || r.res.status === 422) {
            var msg = r.data.errors && r.data.errors.length ? r.data.errors[0].message : r.data.detail;
            dotsError(item, msg);
            return;
          }
          throw new Error('dots: status ' + r.res.status);
        })
        .catch(function () {
          item.classList.remove('is-busy');
          HTMLFormElement.prototype.submit.call(form);
        });
    });
  }

  /* ---------- Start ---------- */

  function initWorkshop() {
    each('form.dots-form[data-dots]', initDotForm);
    connect({
      'idea.created': onIdeaCreated,
      'vote.changed': updateCounts,
      'phase.changed': onPhase,
      'wall.changed': function (d) {
        if (d.voting_mode !== cfg.votingMode || d.dot_budget !== cfg.dotBudget || d.dots_per_idea_max !== cfg.dotsMax) {
          notice('reload', texts.changedNotice);
          note('other', texts.changedNotice);
        }
      },
      'timer.changed': onTimer
    });
  }

  function initControl() {
    var elsewhere = function () {
      // this page's own changes happened before it loaded
      if (Date.now() - loadedAt > 2000) {
        notice('reload', texts.changedNotice);
      }
    };
    connect({
      'idea.created': onIdeaCreated,
      'vote.changed': updateCounts,
      'phase.changed': onPhase,
      'wall.changed': elsewhere,
      'spotlight.changed': elsewhere,
      'idea.updated': elsewhere,
      'timer.changed': onTimer
    });
  }

  function init() {
    region();
    initTimer();
    if (mode === 'wall') {
      initWall();
    } else if (mode === 'control') {
      initControl();
    } else {
      initWorkshop();
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
