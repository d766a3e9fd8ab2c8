/*
 * Werkstatt – the little script there is.
 *
 * Progressive enhancement only: every page works without it (forms post and
 * redirect). It does three things:
 *   1. moves focus to the error summary after a failed form post and links
 *      each message to its field;
 *   2. sends vote forms in the background and updates the count in place,
 *      announcing the result politely; on any failure the form is posted
 *      the ordinary way;
 *   3. shows a character counter under fields with a maxlength and tells
 *      screen reader users how much is left when they pause typing.
 * No libraries; all texts come from the page (data-* attributes), so the
 * catalogue stays the single source of every string.
 */
(function () {
  'use strict';

  var body = document.body;

  /* ---------- Live announcements ---------- */

  var liveTimer = 0;

  function liveRegion() {
    var el = document.getElementById('live-status');
    if (!el) {
      el = document.createElement('div');
      el.id = 'live-status';
      el.className = 'visually-hidden';
      el.setAttribute('role', 'status');
      el.setAttribute('aria-live', 'polite');
      el.setAttribute('aria-atomic', 'true');
      body.appendChild(el);
    }
    return el;
  }

  // announce clears the region first, so the same text is read again.
  function announce(text) {
    var el = liveRegion();
    el.textContent = '';
    window.clearTimeout(liveTimer);
    liveTimer = window.setTimeout(function () {
      el.textContent = text;
    }, 100);
  }

  function fill(template, n) {
    return String(template || '').split('{n}').join(String(n));
  }

  /* ---------- 1. Error summary ---------- */

  function textWithoutHidden(el) {
    var copy = el.cloneNode(true);
    var hidden = copy.querySelectorAll('.visually-hidden');
    for (var i = 0; i < hidden.length; i++) {
      hidden[i].parentNode.removeChild(hidden[i]);
    }
    return copy.textContent.replace(/\s+/g, ' ').trim();
  }

  // linkSummary turns each message into a link to the field it belongs to,
  // named with the field's label, so "please fill in this field" says which.
  function linkSummary(summary) {
    var fieldErrors = Array.prototype.slice.call(document.querySelectorAll('.field-error'));
    var used = [];
    var items = summary.querySelectorAll('li');
    Array.prototype.forEach.call(items, function (li) {
      if (li.querySelector('a')) {
        return;
      }
      var message = li.textContent.replace(/\s+/g, ' ').trim();
      for (var i = 0; i < fieldErrors.length; i++) {
        if (used.indexOf(i) !== -1 || textWithoutHidden(fieldErrors[i]) !== message) {
          continue;
        }
        var field = fieldErrors[i].closest('.field, fieldset');
        var control = field && field.querySelector('input:not([type="hidden"]), textarea, select');
        if (!control || !control.id) {
          continue;
        }
        used.push(i);
        var label = field.querySelector('label[for="' + control.id + '"], legend');
        var link = document.createElement('a');
        link.href = '#' + control.id;
        link.textContent = label ? label.textContent.trim() + ': ' + message : message;
        link.addEventListener('click', function (ev) {
          ev.preventDefault();
          control.focus();
          (label || control).scrollIntoView({ block: 'start' });
        });
        li.textContent = '';
        li.appendChild(link);
        li.setAttribute('data-order', String(i));
        break;
      }
    });
    // list the messages in the order of the fields on the page
    var list = summary.querySelector('ul');
    if (list) {
      Array.prototype.slice.call(items)
        .sort(function (a, b) {
          return Number(a.getAttribute('data-order') || -1) - Number(b.getAttribute('data-order') || -1);
        })
        .forEach(function (li) {
          list.appendChild(li);
        });
    }
  }

  function initErrorSummary() {
    var summary = document.getElementById('error-summary');
    if (!summary) {
      return;
    }
    linkSummary(summary);
    summary.focus();
  }

  /* ---------- 2. Votes without reload ---------- */

  function plural(el, n) {
    var text = n === 1 ? el.getAttribute('data-one') : el.getAttribute('data-other');
    if (text !== null) {
      el.textContent = text;
    }
  }

  function eachIn(selector, fn) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), fn);
  }

  function updateVote(id, votes, voted) {
    var sel = '[data-idea="' + id + '"]';
    eachIn('.vote-count' + sel, function (el) {
      el.textContent = String(votes);
      el.classList.remove('is-updated');
      // restart the small highlight animation (skipped with reduced motion)
      void el.offsetWidth;
      el.classList.add('is-updated');
    });
    eachIn('.vote-noun' + sel, function (el) {
      plural(el, votes);
    });
    eachIn('.vote-status' + sel, function (el) {
      el.hidden = !voted;
    });
    eachIn('form.vote-form[data-vote="' + id + '"]', function (form) {
      form.setAttribute('action', form.getAttribute('action').replace(/\/(un)?vote$/, voted ? '/unvote' : '/vote'));
      var button = form.querySelector('button[type="submit"]');
      if (!button) {
        return;
      }
      button.classList.toggle('voted', voted);
      // in lists an idea not yet supported gets the quieter button
      button.classList.toggle('secondary', !voted && !!form.closest('.idea'));
      var label = button.querySelector('.vote-button-text');
      var text = form.getAttribute(voted ? 'data-label-unvote' : 'data-label-vote');
      if (label && text) {
        label.textContent = text;
      }
    });
  }

  function fallback(form) {
    form.classList.remove('is-busy');
    // the native submit does not fire the submit event again
    HTMLFormElement.prototype.submit.call(form);
  }

  function initVoteForm(form) {
    var id = form.getAttribute('data-vote');
    form.addEventListener('submit', function (ev) {
      if (!window.fetch || !window.URLSearchParams || !window.FormData) {
        return;
      }
      ev.preventDefault();
      if (form.classList.contains('is-busy')) {
        return;
      }
      form.classList.add('is-busy');
      var token = form.querySelector('input[name="_csrf"]');
      var headers = { Accept: 'application/json' };
      if (token) {
        headers['X-CSRF-Token'] = token.value;
      }
      fetch(form.getAttribute('action'), {
        method: 'POST',
        headers: headers,
        body: new URLSearchParams(new FormData(form)),
        credentials: 'same-origin',
        redirect: 'manual'
      })
        .then(function (res) {
          var type = res.headers.get('Content-Type') || '';
          if (!res.ok || type.indexOf('application/json') === -1) {
            throw new Error('vote: unexpected answer ' + res.status);
          }
          return res.json();
        })
        .then(function (data) {
          if (!data || String(data.idea_id) !== id || typeof data.votes !== 'number' || typeof data.voted !== 'boolean') {
            throw new Error('vote: unexpected data');
          }
          updateVote(id, data.votes, data.voted);
          form.classList.remove('is-busy');
          announce(fill(form.getAttribute(data.voted ? 'data-msg-voted' : 'data-msg-unvoted'), data.votes));
        })
        .catch(function () {
          fallback(form);
        });
    });
  }

  function initVotes() {
    eachIn('form.vote-form[data-vote]', initVoteForm);
  }

  /* ---------- 3. Character counters ---------- */

  var counterCount = 0;

  function initCounter(field) {
    var max = parseInt(field.getAttribute('maxlength'), 10);
    var leftText = body.getAttribute('data-chars-left');
    if (!(max > 0) || !leftText) {
      return;
    }
    var overText = body.getAttribute('data-chars-over') || leftText;
    var counter = document.createElement('p');
    counter.className = 'char-count';
    counter.id = (field.id || 'field-' + (++counterCount)) + '-count';
    // screen readers hear the count through the live region after a pause
    // instead of on every keystroke
    counter.setAttribute('aria-hidden', 'true');
    field.insertAdjacentElement('afterend', counter);

    // announce only when the limit comes near, so long texts stay quiet
    var threshold = max < 100 ? Math.floor(max * 0.25) : Math.max(20, Math.floor(max * 0.25));
    var timer = 0;
    var lastSaid = null;

    function message(left) {
      return left >= 0 ? fill(leftText, left) : fill(overText, -left);
    }

    // short fields (names, titles) show the counter only near the limit;
    // their hint already says how long they may be
    var quiet = max < 100;

    function update() {
      var left = max - field.value.length;
      counter.textContent = message(left);
      counter.classList.toggle('is-over', left < 0);
      counter.classList.toggle('is-quiet', quiet && left > threshold);
      return left;
    }

    update();
    field.addEventListener('input', function () {
      var left = update();
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        if (left <= threshold && left !== lastSaid) {
          lastSaid = left;
          announce(message(left));
        }
      }, 1000);
    });
  }

  function initCounters() {
    eachIn('textarea[maxlength], input[maxlength]:not([type="hidden"]):not([type="password"]):not(.code-input)', initCounter);
  }

  /* ---------- Start ---------- */

  function init() {
    liveRegion();
    initVotes();
    initCounters();
    initErrorSummary();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
