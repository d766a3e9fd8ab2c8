/*
 * Werkstatt – the screenshot upload form of the prototype page (moderators).
 *
 * Without it the form is a plain multiple file field with one title and one
 * alt text for all files. With it:
 *   1. files can be dropped onto the drop zone (they go into the same file
 *      field, so the form posts as before);
 *   2. every chosen file gets its own title (made from the file name, as
 *      the server would) and alt text; the shared fields are switched off.
 *      The server pairs titles and alt texts with files by their order.
 */
(function () {
  'use strict';

  var form = document.querySelector('form[data-upload]');
  if (!form) {
    return;
  }
  var input = form.querySelector('input[type="file"][name="file"]');
  var zone = form.querySelector('[data-dropzone]');
  var rows = form.querySelector('[data-upload-files]');
  var shared = form.querySelectorAll('[data-upload-shared]');
  var dropHint = form.querySelector('[data-drop-hint]');
  if (!input || !zone || !rows) {
    return;
  }

  function each(nodes, fn) {
    Array.prototype.forEach.call(nodes, fn);
  }

  function announce(text) {
    var el = document.getElementById('live-status');
    if (el) {
      el.textContent = '';
      window.setTimeout(function () {
        el.textContent = text;
      }, 120);
    }
  }

  // titleFromFile makes "02_termin-buchen.png" into "Termin buchen", like
  // the server does for a file without a title.
  function titleFromFile(name) {
    var t = name.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '');
    t = t.replace(/^\d+[\s._-]+/, '').replace(/[\s_-]+/g, ' ').trim();
    return t.charAt(0).toUpperCase() + t.slice(1);
  }

  function size(bytes) {
    var mb = bytes / 1e6;
    return mb >= 1 ? mb.toFixed(1).replace('.', document.documentElement.lang === 'de' ? ',' : '.') + ' MB'
      : Math.max(1, Math.round(bytes / 1e3)) + ' kB';
  }

  function field(id, labelText, control, hint) {
    var div = document.createElement('div');
    div.className = 'field';
    var label = document.createElement('label');
    label.htmlFor = id;
    label.textContent = labelText;
    div.appendChild(label);
    if (hint) {
      var p = document.createElement('p');
      p.className = 'hint';
      p.id = id + '-hint';
      p.textContent = hint;
      div.appendChild(p);
      control.setAttribute('aria-describedby', p.id);
    }
    control.id = id;
    div.appendChild(control);
    return div;
  }

  function render() {
    rows.textContent = '';
    var files = input.files ? Array.prototype.slice.call(input.files) : [];
    var perFile = files.length > 0;
    each(shared, function (el) {
      el.hidden = perFile;
      each(el.querySelectorAll('input, textarea'), function (c) {
        c.disabled = perFile;
      });
    });
    rows.hidden = !perFile;
    files.forEach(function (file, i) {
      var li = document.createElement('li');
      li.className = 'upload-file';
      var fs = document.createElement('fieldset');
      var legend = document.createElement('legend');
      legend.className = 'upload-file-name';
      legend.textContent = file.name + ' (' + size(file.size) + ')';
      fs.appendChild(legend);

      var title = document.createElement('input');
      title.type = 'text';
      title.name = 'title';
      title.maxLength = 140;
      title.value = titleFromFile(file.name);
      fs.appendChild(field('upload-title-' + i, form.getAttribute('data-label-title'), title));

      var alt = document.createElement('textarea');
      alt.name = 'alt';
      alt.rows = 2;
      alt.maxLength = 1000;
      fs.appendChild(field('upload-alt-' + i, form.getAttribute('data-label-alt'), alt, form.getAttribute('data-hint-alt')));

      li.appendChild(fs);
      rows.appendChild(li);
    });
    var total = form.querySelector('[data-upload-total]');
    var bytes = files.reduce(function (sum, f) {
      return sum + f.size;
    }, 0);
    if (total) {
      // the server takes about 20 MB per request; say so before posting
      total.textContent = form.getAttribute('data-msg-total') || '';
      total.hidden = bytes <= 20e6;
    }
    if (perFile) {
      announce((form.getAttribute('data-msg-files') || '').split('{n}').join(String(files.length)));
    }
  }

  // a new choice of files makes the message about the last one stale
  function clearError() {
    zone.classList.remove('has-error');
    input.removeAttribute('aria-invalid');
    var error = zone.querySelector('.field-error');
    if (error) {
      error.hidden = true;
      input.setAttribute('aria-describedby', (input.getAttribute('aria-describedby') || '').replace(/\s*\S+-error\b/, ''));
    }
  }

  input.addEventListener('change', function () {
    clearError();
    render();
  });

  /* ---------- Drag and drop ---------- */

  if (dropHint) {
    dropHint.hidden = false;
  }

  function hasFiles(ev) {
    var types = ev.dataTransfer && ev.dataTransfer.types;
    return !!types && Array.prototype.indexOf.call(types, 'Files') !== -1;
  }

  ['dragenter', 'dragover'].forEach(function (type) {
    zone.addEventListener(type, function (ev) {
      if (!hasFiles(ev)) {
        return;
      }
      ev.preventDefault();
      ev.dataTransfer.dropEffect = 'copy';
      zone.classList.add('is-over');
    });
  });

  zone.addEventListener('dragleave', function (ev) {
    if (!zone.contains(ev.relatedTarget)) {
      zone.classList.remove('is-over');
    }
  });

  zone.addEventListener('drop', function (ev) {
    zone.classList.remove('is-over');
    if (!hasFiles(ev)) {
      return;
    }
    ev.preventDefault();
    try {
      input.files = ev.dataTransfer.files;
    } catch (e) {
      return; // an old browser: the file field still works
    }
    clearError();
    render();
    input.focus();
  });

  // keep per-file rows after the back button restored the chosen files
  if (input.files && input.files.length) {
    render();
  }
})();
