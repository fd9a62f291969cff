/* The list screen: column chooser (show, hide, reorder with buttons), filter rows, row
   selection for bulk actions, and cells edited in place (Escape cancels; a 422 answer with
   the field's error is swapped in like any other). Loaded as a file: no inline script. */
(function () {
  "use strict";

  // Column chooser -------------------------------------------------------------------
  function syncColumns() {
    var list = document.querySelector("[data-column-list]");
    var hidden = document.getElementById("list-columns");
    if (!list || !hidden) return;
    var names = [];
    list.querySelectorAll("[data-column-toggle]").forEach(function (box) {
      if (box.checked) names.push(box.value);
    });
    hidden.value = names.join(",");
    hidden.disabled = names.length === 0;
  }

  document.addEventListener("click", function (event) {
    var move = event.target.closest("[data-move]");
    if (move) {
      var item = move.closest("li");
      if (move.dataset.move === "up" && item.previousElementSibling) {
        item.parentNode.insertBefore(item, item.previousElementSibling);
      } else if (move.dataset.move === "down" && item.nextElementSibling) {
        item.parentNode.insertBefore(item.nextElementSibling, item);
      }
      move.focus();
      syncColumns();
      return;
    }
    if (event.target.closest("[data-columns-reset]")) {
      var hidden = document.getElementById("list-columns");
      if (hidden) { hidden.value = ""; hidden.disabled = true; }
      var form = document.getElementById("list-filters");
      if (form) form.requestSubmit();
      return;
    }
    var remove = event.target.closest("[data-remove-row]");
    if (remove) {
      var row = remove.closest(".filter-row");
      var builder = row.closest(".filter-builder");
      row.remove();
      var add = builder && builder.querySelector(".panel-actions button");
      if (add) add.focus();
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-column-toggle]")) syncColumns();
    if (event.target.matches("[data-select-page]")) {
      document.querySelectorAll("[data-select-row]").forEach(function (box) {
        box.checked = event.target.checked;
      });
      updateSelection();
    } else if (event.target.matches("[data-select-row]")) {
      updateSelection();
    }
  });

  // Selection and bulk actions ------------------------------------------------------
  function updateSelection() {
    var rows = document.querySelectorAll("[data-select-row]");
    var chosen = document.querySelectorAll("[data-select-row]:checked").length;
    var bar = document.getElementById("bulk-form");
    if (bar) bar.classList.toggle("has-selection", chosen > 0);
    var count = document.querySelector("[data-bulk-count]");
    if (count) count.textContent = chosen ? chosen + " " + count.dataset.some : count.dataset.none;
    document.querySelectorAll("[data-needs-selection]").forEach(function (button) {
      button.disabled = chosen === 0;
    });
    var page = document.querySelector("[data-select-page]");
    if (page) {
      page.checked = rows.length > 0 && chosen === rows.length;
      page.indeterminate = chosen > 0 && chosen < rows.length;
    }
  }

  // Cells edited in place: Escape cancels, the field's error (422) is shown in place.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var form = event.target.closest && event.target.closest(".cell-form");
    if (form) {
      event.preventDefault();
      var cancel = form.querySelector("[data-cell-cancel]");
      if (cancel) cancel.click();
    }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (event.detail.xhr.status === 422 && source && source.closest("[data-swap-errors]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // The filter form leaves out what is empty, so that the address (and a saved view) holds
  // only the filters in use.
  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.elt.id !== "list-filters" || event.detail.verb !== "get") return;
    var params = event.detail.parameters;
    var empty = {};
    Array.from(params.entries()).forEach(function (pair) {
      if (!(pair[0] in empty)) empty[pair[0]] = true;
      if (pair[1] !== "") empty[pair[0]] = false;
    });
    Object.keys(empty).forEach(function (name) {
      if (empty[name]) params.delete(name);
    });
  });

  document.addEventListener("htmx:afterSettle", function () {
    updateSelection();
  });
  document.addEventListener("DOMContentLoaded", function () {
    updateSelection();
  });
})();
