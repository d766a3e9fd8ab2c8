/*
 * Werkstatt – placing annotations on a screenshot.
 *
 * Loaded on the screen page only. The page works without it: pins and areas
 * are drawn by an SVG overlay from the server, and the form takes the
 * position as percent fields or as a 3×3 choice. This script adds:
 *   1. picking: a pin on the image and its item in the list highlight each
 *      other (hover, focus, click);
 *   2. pointing: a click or tap places a pin, dragging draws an area (on
 *      touch screens only after "Mark an area" is switched on, so that
 *      dragging still scrolls the page otherwise);
 *   3. the keyboard: the image is focusable; the arrow keys move a
 *      crosshair by 1 % (Shift: 10 %), Enter places the pin there and moves
 *      to the comment field; a polite live region says where it is.
 * Every placement only fills the form's fields, which stay the one source
 * of truth: typing in them moves the mark too.
 *
 * Why not a drawing library: see the note in the pull request / report.
 * Positions are SVG attributes in percent (setAttribute of x/y/width/
 * height), never inline styles, so the page keeps its strict CSP.
 */
(function () {
  'use strict';

  var SVGNS = 'http://www.w3.org/2000/svg';
  var shot = document.getElementById('shot');
  if (!shot) {
    return;
  }
  var overlay = shot.querySelector('.shot-overlay');
  var list = document.querySelector('.annotations');

  function each(nodes, fn) {
    Array.prototype.forEach.call(nodes, fn);
  }

  /* ---------- 1. Pins and list items highlight each other ---------- */

  var selected = null;

  function highlight(id) {
    each(document.querySelectorAll('.shot-overlay [data-annotation], .annotations > li[data-annotation]'), function (el) {
      var on = id !== null && el.getAttribute('data-annotation') === id;
      el.classList.toggle('is-active', on);
    });
    // the active pin is drawn last, so it is on top of its neighbours
    if (id !== null && overlay) {
      var mark = overlay.querySelector('svg.mark[data-annotation="' + id + '"]');
      if (mark) {
        overlay.appendChild(mark);
      }
    }
  }

  function select(id) {
    selected = id;
    highlight(id);
  }

  function itemOf(id) {
    return list && list.querySelector('li[data-annotation="' + id + '"]');
  }

  shot.classList.add('is-enhanced');

  if (overlay) {
    overlay.addEventListener('click', function (ev) {
      var mark = ev.target.closest && ev.target.closest('svg.mark');
      if (!mark) {
        return;
      }
      var id = mark.getAttribute('data-annotation');
      select(id);
      var item = itemOf(id);
      if (item) {
        item.scrollIntoView({ block: 'nearest' });
        item.focus({ preventScroll: true });
      }
    });
  }

  if (list) {
    each(list.querySelectorAll(':scope > li[data-annotation]'), function (li) {
      var id = li.getAttribute('data-annotation');
      li.addEventListener('mouseenter', function () {
        highlight(id);
      });
      li.addEventListener('mouseleave', function () {
        highlight(selected);
      });
      li.addEventListener('focusin', function () {
        select(id);
      });
      li.addEventListener('click', function () {
        select(id);
      });
    });
  }

  function fromHash() {
    var m = /^#annotation-(\d+)$/.exec(window.location.hash);
    if (m) {
      select(m[1]);
    }
  }
  window.addEventListener('hashchange', fromHash);
  fromHash();

  /* ---------- Placing a new annotation ---------- */

  var form = document.getElementById('annotate-form');
  if (!shot.hasAttribute('data-annotate') || !form || !overlay) {
    return;
  }

  var fields = {
    x: form.querySelector('[name="x"]'),
    y: form.querySelector('[name="y"]'),
    w: form.querySelector('[name="w"]'),
    h: form.querySelector('[name="h"]')
  };
  var body = form.querySelector('[name="body"]');
  var radios = form.querySelectorAll('input[name="grid"]');
  var tools = document.querySelector('[data-shot-tools]');
  var areaButton = tools && tools.querySelector('[data-area-mode]');
  var clearButton = tools && tools.querySelector('[data-clear]');
  var help = document.getElementById('shot-help');
  var img = shot.querySelector('img');
  var decimal = shot.getAttribute('data-decimal') || '.';

  function msg(name, values) {
    var text = shot.getAttribute('data-msg-' + name) || '';
    Object.keys(values || {}).forEach(function (k) {
      text = text.split('{' + k + '}').join(fmt(values[k]));
    });
    return text;
  }

  var liveTimer = 0;
  function announce(text) {
    var el = document.getElementById('live-status');
    if (!el || !text) {
      return;
    }
    el.textContent = '';
    window.clearTimeout(liveTimer);
    liveTimer = window.setTimeout(function () {
      el.textContent = text;
    }, 120);
  }

  function round1(v) {
    return Math.round(v * 10) / 10;
  }

  function clamp(v) {
    return Math.min(100, Math.max(0, v));
  }

  function fmt(v) {
    return String(round1(v)).replace('.', decimal);
  }

  function parse(el) {
    if (!el) {
      return NaN;
    }
    var s = el.value.replace('%', '').replace(',', '.').trim();
    return s === '' ? NaN : Number(s);
  }

  // where the keyboard crosshair is, in percent
  var cursor = { x: 50, y: 50 };

  /* ---------- The draft mark: crosshair, pin or area ---------- */

  function svgEl(name, attrs, parent) {
    var el = document.createElementNS(SVGNS, name);
    Object.keys(attrs).forEach(function (k) {
      el.setAttribute(k, attrs[k]);
    });
    if (parent) {
      parent.appendChild(el);
    }
    return el;
  }

  var draft = svgEl('g', { 'class': 'draft' }, null);
  var draftArea = svgEl('g', {}, draft);
  var areaHalo = svgEl('rect', { 'class': 'draft-area-halo' }, draftArea);
  var areaRect = svgEl('rect', { 'class': 'draft-area' }, draftArea);
  var draftPin = svgEl('svg', { overflow: 'visible' }, draft);
  svgEl('circle', { 'class': 'draft-halo', r: '12' }, draftPin);
  svgEl('circle', { 'class': 'draft-ring', r: '12' }, draftPin);
  [[-24, 0, -8, 0], [8, 0, 24, 0], [0, -24, 0, -8], [0, 8, 0, 24]].forEach(function (l) {
    svgEl('line', { 'class': 'draft-halo', x1: l[0], y1: l[1], x2: l[2], y2: l[3] }, draftPin);
    svgEl('line', { 'class': 'draft-line', x1: l[0], y1: l[1], x2: l[2], y2: l[3] }, draftPin);
  });

  function showDraft(x, y, w, h) {
    if (!draft.parentNode) {
      overlay.appendChild(draft);
    }
    var isArea = w > 0 && h > 0;
    draftArea.setAttribute('display', isArea ? 'inline' : 'none');
    [areaHalo, areaRect].forEach(function (r) {
      r.setAttribute('x', x + '%');
      r.setAttribute('y', y + '%');
      r.setAttribute('width', (isArea ? w : 0) + '%');
      r.setAttribute('height', (isArea ? h : 0) + '%');
    });
    draftPin.setAttribute('x', x + '%');
    draftPin.setAttribute('y', y + '%');
    draftPin.setAttribute('display', isArea ? 'none' : 'inline');
    if (clearButton) {
      clearButton.hidden = false;
    }
  }

  function hideDraft() {
    if (draft.parentNode) {
      draft.parentNode.removeChild(draft);
    }
    if (clearButton) {
      clearButton.hidden = true;
    }
    if (status) {
      status.hidden = true;
    }
  }

  // the visible note under the image says what was placed and leads to
  // the comment field, which on a phone is further down the page
  var status = document.querySelector('[data-shot-status]');
  var statusText = status && status.querySelector('[data-shot-status-text]');

  function showStatus(text) {
    if (status && statusText) {
      statusText.textContent = text;
      status.hidden = false;
    }
  }

  if (status) {
    var toBody = status.querySelector('[data-to-body]');
    if (toBody && body) {
      toBody.addEventListener('click', function (ev) {
        ev.preventDefault();
        body.focus();
      });
    }
  }

  // setFields writes a position into the form: the fields decide.
  function setFields(x, y, w, h) {
    fields.x.value = fmt(x);
    fields.y.value = fmt(y);
    fields.w.value = w > 0 ? fmt(w) : '';
    fields.h.value = h > 0 ? fmt(h) : '';
    each(radios, function (r) {
      r.checked = false;
    });
  }

  // fromFields shows what the fields say; called when they are typed in.
  function fromFields() {
    var x = parse(fields.x);
    var y = parse(fields.y);
    if (isNaN(x) || isNaN(y) || x < 0 || x > 100 || y < 0 || y > 100) {
      hideDraft();
      return;
    }
    var w = parse(fields.w);
    var h = parse(fields.h);
    showDraft(x, y, isNaN(w) ? 0 : Math.min(w, 100 - x), isNaN(h) ? 0 : Math.min(h, 100 - y));
    cursor.x = x;
    cursor.y = y;
  }

  ['x', 'y', 'w', 'h'].forEach(function (k) {
    if (fields[k]) {
      fields[k].addEventListener('input', fromFields);
    }
  });

  each(radios, function (r) {
    r.addEventListener('change', function () {
      if (!r.checked) {
        return;
      }
      var x = Number(r.getAttribute('data-x'));
      var y = Number(r.getAttribute('data-y'));
      fields.x.value = fmt(x);
      fields.y.value = fmt(y);
      fields.w.value = '';
      fields.h.value = '';
      cursor.x = x;
      cursor.y = y;
      showDraft(x, y, 0, 0);
    });
  });

  function placePin(x, y) {
    x = round1(clamp(x));
    y = round1(clamp(y));
    cursor.x = x;
    cursor.y = y;
    setFields(x, y, 0, 0);
    showDraft(x, y, 0, 0);
    showStatus(msg('where-pin', { x: x, y: y }) + '.');
    announce(msg('pin', { x: x, y: y }));
  }

  function placeArea(x0, y0, x1, y1) {
    var x = round1(clamp(Math.min(x0, x1)));
    var y = round1(clamp(Math.min(y0, y1)));
    var w = round1(Math.min(clamp(Math.max(x0, x1)), 100) - x);
    var h = round1(Math.min(clamp(Math.max(y0, y1)), 100) - y);
    if (x + w > 100) {
      w = round1(100 - x);
    }
    if (y + h > 100) {
      h = round1(100 - y);
    }
    if (w < 0.5 || h < 0.5) {
      placePin(x0, y0);
      return;
    }
    cursor.x = x;
    cursor.y = y;
    setFields(x, y, w, h);
    showDraft(x, y, w, h);
    showStatus(msg('where-area', { x: x, y: y, w: w, h: h }) + '.');
    announce(msg('area', { x: x, y: y, w: w, h: h }));
  }

  if (clearButton) {
    clearButton.addEventListener('click', function () {
      ['x', 'y', 'w', 'h'].forEach(function (k) {
        fields[k].value = '';
      });
      each(radios, function (r) {
        r.checked = false;
      });
      hideDraft();
      announce(msg('cleared'));
      shot.focus();
    });
  }

  /* ---------- 2. Pointer: click or tap for a pin, drag for an area ---------- */

  var areaMode = false;
  var drag = null;

  function percentAt(ev) {
    var r = img.getBoundingClientRect();
    return {
      x: clamp((ev.clientX - r.left) / r.width * 100),
      y: clamp((ev.clientY - r.top) / r.height * 100)
    };
  }

  shot.addEventListener('pointerdown', function (ev) {
    if (ev.button !== 0 || (ev.target.closest && ev.target.closest('svg.mark'))) {
      return;
    }
    var p = percentAt(ev);
    drag = { id: ev.pointerId, type: ev.pointerType, x0: ev.clientX, y0: ev.clientY, start: p, drawing: false };
    if (ev.pointerType === 'mouse' || areaMode) {
      // keep the moves coming even when the pointer leaves the image
      shot.setPointerCapture(ev.pointerId);
      ev.preventDefault();
    }
  });

  shot.addEventListener('pointermove', function (ev) {
    if (!drag || ev.pointerId !== drag.id) {
      return;
    }
    var canDraw = drag.type === 'mouse' || areaMode;
    var moved = Math.abs(ev.clientX - drag.x0) + Math.abs(ev.clientY - drag.y0);
    if (!drag.drawing && canDraw && moved > 8) {
      drag.drawing = true;
    }
    if (drag.drawing) {
      var p = percentAt(ev);
      var x = Math.min(drag.start.x, p.x);
      var y = Math.min(drag.start.y, p.y);
      showDraft(x, y, Math.abs(p.x - drag.start.x), Math.abs(p.y - drag.start.y));
      ev.preventDefault();
    }
  });

  shot.addEventListener('pointerup', function (ev) {
    if (!drag || ev.pointerId !== drag.id) {
      return;
    }
    var d = drag;
    drag = null;
    var p = percentAt(ev);
    if (d.drawing) {
      placeArea(d.start.x, d.start.y, p.x, p.y);
    } else {
      placePin(d.start.x, d.start.y);
    }
  });

  shot.addEventListener('pointercancel', function () {
    // the browser took the gesture (scrolling): nothing is placed
    drag = null;
    fromFields();
  });

  if (areaButton) {
    areaButton.addEventListener('click', function () {
      areaMode = !areaMode;
      areaButton.setAttribute('aria-pressed', areaMode ? 'true' : 'false');
      shot.classList.toggle('is-drawing', areaMode);
    });
  }

  /* ---------- 3. Keyboard: a crosshair moved with the arrow keys ---------- */

  var sayTimer = 0;

  shot.setAttribute('tabindex', '0');
  shot.setAttribute('role', 'group');
  shot.setAttribute('aria-label', shot.getAttribute('data-label') || '');
  if (help) {
    help.hidden = false;
    shot.setAttribute('aria-describedby', 'shot-help');
  }
  if (tools) {
    tools.hidden = false;
  }

  shot.addEventListener('focus', function () {
    if (!shot.matches(':focus-visible')) {
      return;
    }
    var x = parse(fields.x);
    var y = parse(fields.y);
    if (!isNaN(x) && !isNaN(y)) {
      cursor.x = clamp(x);
      cursor.y = clamp(y);
    }
    if (!draft.parentNode) {
      showDraft(cursor.x, cursor.y, 0, 0);
    }
  });

  var steps = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

  shot.addEventListener('keydown', function (ev) {
    if (ev.altKey || ev.ctrlKey || ev.metaKey) {
      return;
    }
    var step = steps[ev.key];
    if (step) {
      ev.preventDefault();
      var n = ev.shiftKey ? 10 : 1;
      cursor.x = round1(clamp(cursor.x + step[0] * n));
      cursor.y = round1(clamp(cursor.y + step[1] * n));
      showDraft(cursor.x, cursor.y, 0, 0);
      window.clearTimeout(sayTimer);
      sayTimer = window.setTimeout(function () {
        announce(msg('position', { x: cursor.x, y: cursor.y }));
      }, 250);
      return;
    }
    if (ev.key === 'Enter') {
      ev.preventDefault();
      window.clearTimeout(sayTimer);
      placePin(cursor.x, cursor.y);
      if (body) {
        body.focus();
      }
    } else if (ev.key === 'Escape' && clearButton && !clearButton.hidden) {
      ev.preventDefault();
      clearButton.click();
    }
  });

  // a placement kept after a failed post shows again
  fromFields();
  each(radios, function (r) {
    if (r.checked && !fields.x.value && !fields.y.value) {
      showDraft(Number(r.getAttribute('data-x')), Number(r.getAttribute('data-y')), 0, 0);
    }
  });
})();
