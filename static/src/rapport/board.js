/* The pipeline board: drag a card to another stage (SortableJS) or use its "Move to" form;
   either way the move is posted to the server, which changes the stage through the update
   service. A refused move puts the card back and says why in the live status line. */
(function () {
  "use strict";

  function status(text, failed) {
    var line = document.getElementById("board-status");
    if (!line) return;
    line.textContent = text;
    line.classList.toggle("error", Boolean(failed));
  }

  function updateTotals(totals) {
    Object.keys(totals || {}).forEach(function (stageId) {
      var box = document.querySelector('[data-totals="' + stageId + '"]');
      if (!box) return;
      ["count", "amount", "weighted"].forEach(function (name) {
        var cell = box.querySelector('[data-total="' + name + '"]');
        if (cell) cell.textContent = totals[stageId][name];
      });
    });
  }

  function columnOf(card) {
    return card.closest(".board-cards");
  }

  // Posts the card's own form (CSRF token, opportunity, board filters) with the new stage.
  function move(card, stageId) {
    var form = card.querySelector("form.board-move");
    var body = new FormData(form);
    body.set("stage", stageId);
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    return fetch(form.action, {
      method: "POST",
      body: body,
      headers: { "Accept": "application/json", "X-CSRFToken": token },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().catch(function () {
        return { ok: false, message: response.statusText || String(response.status) };
      });
    }, function () {
      return { ok: false, message: card.closest("[data-board]").dataset.networkError };
    });
  }

  function settle(card, result, undo) {
    var select = card.querySelector("select[name=stage]");
    if (result.ok) {
      select.value = String(result.stage);
      updateTotals(result.totals);
      status(result.message, false);
    } else {
      undo();
      select.value = columnOf(card).dataset.stage;
      status(result.message, true);
    }
  }

  // Keyboard and phones: the "Move to" form moves the card without dragging.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form.board-move")) return;
    event.preventDefault();
    var card = form.closest(".board-card");
    var stageId = form.querySelector("select[name=stage]").value;
    if (stageId === columnOf(card).dataset.stage) return;
    move(card, stageId).then(function (result) {
      if (result.ok) {
        var target = document.querySelector('.board-cards[data-stage="' + stageId + '"]');
        if (target) target.insertBefore(card, target.firstChild);
        form.querySelector("select[name=stage]").focus();
      }
      settle(card, result, function () {});
    });
  });

  document.addEventListener("DOMContentLoaded", function () {
    var board = document.querySelector("[data-board]");
    if (!board || typeof window.Sortable === "undefined") return;
    board.querySelectorAll(".board-cards").forEach(function (list) {
      window.Sortable.create(list, {
        group: "board",
        animation: 150,
        // Touch screens scroll the board; a long press starts a drag.
        delay: 250,
        delayOnTouchOnly: true,
        filter: "select, button, label, input",
        preventOnFilter: false,
        onEnd: function (evt) {
          if (evt.from === evt.to) return;
          var card = evt.item;
          move(card, evt.to.dataset.stage).then(function (result) {
            settle(card, result, function () {
              evt.from.insertBefore(card, evt.from.children[evt.oldIndex] || null);
            });
          });
        }
      });
    });
  });
})();
