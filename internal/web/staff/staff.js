// Conveniences for the staff pages; every page works without this file.
(function () {
  'use strict';
  var print = document.querySelector('[data-print]');
  if (print) {
    print.hidden = false;
    print.addEventListener('click', function () { window.print(); });
  }
  // A filter box over each long picker: typing hides the options whose
  // label does not contain what was typed (ticked ones always stay).
  document.querySelectorAll('[data-picker]').forEach(function (group, n) {
    var legend = group.querySelector('legend');
    var id = 'picker-filter-' + n;
    var wrap = document.createElement('div');
    wrap.className = 'govuk-form-group govuk-!-margin-bottom-2';
    var label = document.createElement('label');
    label.className = 'govuk-label';
    label.htmlFor = id;
    label.textContent = 'Search ' + (legend ? legend.textContent.toLowerCase() : 'the list');
    var input = document.createElement('input');
    input.className = 'govuk-input';
    input.id = id;
    input.type = 'search';
    input.autocomplete = 'off';
    wrap.appendChild(label);
    wrap.appendChild(input);
    var list = group.querySelector('.app-picker');
    list.parentNode.insertBefore(wrap, list);
    input.addEventListener('input', function () {
      var q = input.value.trim().toLowerCase();
      list.querySelectorAll('.govuk-checkboxes__item').forEach(function (item) {
        var box = item.querySelector('input');
        var text = item.textContent.toLowerCase();
        item.hidden = q !== '' && !box.checked && text.indexOf(q) === -1;
      });
    });
  });
})();
