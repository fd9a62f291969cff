/* Record forms and record pages: repeated child rows (add and remove), loaded as a file so the
   Content-Security-Policy needs no inline script. */
(function () {
  "use strict";

  // "Add" clones the row template with a fresh index. Indexes only grow (a removed row's index
  // is never reused), so two rows never share field names.
  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-row]");
    if (add) {
      var fieldset = add.closest("[data-rows]");
      var template = fieldset.querySelector("template[data-row-template]");
      var next = fieldset.dataset.nextRow
        ? parseInt(fieldset.dataset.nextRow, 10)
        : fieldset.querySelectorAll(":scope > [data-row]").length;
      fieldset.dataset.nextRow = String(next + 1);
      template.insertAdjacentHTML("beforebegin", template.innerHTML.replace(/__i__/g, String(next)));
      var row = template.previousElementSibling;
      if (window.htmx) window.htmx.process(row);  // pickers inside the row search with htmx
      var input = row.querySelector("input:not([type=hidden]), select");
      if (input) input.focus();
      return;
    }
    var remove = event.target.closest("[data-remove-row]");
    if (remove) {
      var rowToRemove = remove.closest("[data-row]");
      var rows = rowToRemove.closest("[data-rows]");
      rowToRemove.remove();
      var addButton = rows && rows.querySelector("[data-add-row]");
      if (addButton) addButton.focus();
    }
  });
})();
