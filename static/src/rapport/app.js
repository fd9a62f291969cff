/* Rapport's own behaviour: keyboard shortcuts, pickers, repeated form rows, confirmations.
   Plain DOM code loaded as a file, so the Content-Security-Policy needs no inline script. */
(function () {
  "use strict";

  function isTyping(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  // "/" or Ctrl-K (Cmd-K) focuses the global search box.
  document.addEventListener("keydown", function (event) {
    var search = document.getElementById("global-search");
    if (!search) return;
    var ctrlK = (event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k";
    if (ctrlK || (event.key === "/" && !isTyping(document.activeElement))) {
      event.preventDefault();
      search.focus();
      search.select();
    } else if (event.key === "Escape" && document.activeElement === search) {
      document.getElementById("global-search-results").innerHTML = "";
    }
  });

  // The menu button opens the navigation on phones.
  document.addEventListener("toggle", function (event) {
    if (event.target.id === "nav-toggle") {
      document.body.classList.toggle("nav-open", event.target.open);
    }
  }, true);

  // Pickers: choosing an option puts its id into the hidden input and its label into the box.
  function pick(option) {
    var picker = option.closest("[data-picker]");
    if (!picker || option.getAttribute("aria-disabled") === "true") return;
    picker.querySelector("[data-picker-value]").value = option.dataset.value;
    picker.querySelector("[data-picker-search]").value = option.textContent.trim();
    picker.querySelector(".picker-options").innerHTML = "";
    picker.querySelector("[data-picker-search]").setAttribute("aria-expanded", "false");
  }
  document.addEventListener("click", function (event) {
    var option = event.target.closest(".picker-options [role=option]");
    if (option) pick(option);
  });
  document.addEventListener("keydown", function (event) {
    var option = event.target.closest && event.target.closest(".picker-options [role=option]");
    var search = event.target.matches && event.target.matches("[data-picker-search]") ? event.target : null;
    if (search && event.key === "ArrowDown") {
      var first = search.parentElement.querySelector(".picker-options [role=option]");
      if (first) { event.preventDefault(); first.focus(); }
    } else if (option && event.key === "Enter") {
      event.preventDefault(); pick(option);
    } else if (option && event.key === "ArrowDown" && option.nextElementSibling) {
      event.preventDefault(); option.nextElementSibling.focus();
    } else if (option && event.key === "ArrowUp") {
      event.preventDefault();
      (option.previousElementSibling || option.closest("[data-picker]").querySelector("[data-picker-search]")).focus();
    }
  });
  document.addEventListener("input", function (event) {
    if (event.target.matches("[data-picker-search]") && event.target.value === "") {
      event.target.closest("[data-picker]").querySelector("[data-picker-value]").value = "";
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target.classList && event.target.classList.contains("picker-options")) {
      var search = event.target.parentElement.querySelector("[data-picker-search]");
      if (search) search.setAttribute("aria-expanded", event.target.children.length ? "true" : "false");
    }
  });

  // Repeated rows (a contact's emails, phones, ...): "Add" clones the row template.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-add-child]");
    if (!button) return;
    var fieldset = button.closest("[data-children]");
    var template = fieldset.querySelector("template[data-child-template]");
    var html = template.innerHTML.replace(/__i__/g, String(fieldset.querySelectorAll(":scope > .child-row").length));
    template.insertAdjacentHTML("beforebegin", html);
    var inputs = fieldset.querySelectorAll(":scope > .child-row");
    var last = inputs[inputs.length - 1];
    if (last) { var input = last.querySelector("input, select"); if (input) input.focus(); }
  });

  // A table box that scrolls sideways must be reachable by keyboard (WCAG 2.1.1): boxes
  // without their own tabindex get one, named by the table's caption or the page's title.
  function scrollRegions(root) {
    root.querySelectorAll(".table-scroll:not([tabindex])").forEach(function (box) {
      box.setAttribute("tabindex", "0");
      if (!box.hasAttribute("role")) box.setAttribute("role", "region");
      if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
        var caption = box.querySelector("caption");
        box.setAttribute("aria-label", (caption ? caption.textContent : document.title).trim());
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { scrollRegions(document); });
  document.addEventListener("htmx:afterSwap", function (event) { scrollRegions(event.target); });

  // Forms marked data-confirm ask before submitting (deleting, bulk changes).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  }, true);
})();
